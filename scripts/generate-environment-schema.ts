/**
 * Writes environments/environment.schema.json, the JSON Schema editors use to complete and check
 * environments/*.yaml (each file points at it with a `yaml-language-server: $schema=` comment).
 * It is generated from the zod schema the loader validates with, so the two cannot drift; a unit
 * test fails when the committed file is stale. Run after changing actions/src/environments/schema.ts:
 *   node --import tsx scripts/generate-environment-schema.ts
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { environmentSchema } from "#core/environments/schema.js";
import { displayPath } from "#core/util/paths.js";
import { repoPath } from "../test/support/repo.js";

export const environmentSchemaFile = repoPath("environments", "environment.schema.json");

/** The schema as committed: input shape (defaults make fields optional). */
export function renderEnvironmentSchema(): string {
  const schema = z.toJSONSchema(environmentSchema, { io: "input", target: "draft-2020-12" });
  const document = {
    $schema: schema.$schema,
    title: "camunda-gitops environment",
    description:
      "One environment (local, dev, staging, prod): its Camunda REST API and release settings, its AWS account and stacks. Generated from actions/src/environments/schema.ts by scripts/generate-environment-schema.ts; credentials never belong here.",
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema")),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(environmentSchemaFile, renderEnvironmentSchema());
  // The repository's formatter owns the final layout of every JSON file.
  execFileSync(repoPath("node_modules", ".bin", "biome"), ["format", "--write", environmentSchemaFile], {
    stdio: "ignore",
  });
  console.log(`wrote ${displayPath(environmentSchemaFile)}`);
}
