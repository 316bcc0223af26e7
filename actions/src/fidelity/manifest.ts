/**
 * engine/run-7.23.0.yaml: what the production image (Camunda Run 7.23.0) is made of and how both
 * packagings of the engine must behave. Written by the team from Run's sources; read here, validated
 * once, and used by the drift checks (fidelity/drift.ts) and the capability probe (probe/).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { UserError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";

/** The manifest of a checkout. */
export function manifestFile(root: string): string {
  return path.join(root, "engine", "run-7.23.0.yaml");
}

const version = z.union([z.string(), z.number()]).transform(String);
const setting = z.object({ value: version, default: version }).strict();

export const manifestSchema = z
  .object({
    image: z.string().regex(/^camunda\/camunda-bpm-platform:run-\d+\.\d+\.\d+$/),
    camundaVersion: z.string(),
    /** groupId:artifactId[:classifier] → version. */
    dependencies: z.record(z.string().regex(/^[\w.-]+:[\w.-]+(:[\w.-]+)?$/), version),
    /** groupId:artifactId → why it must not be on the local classpath. */
    absentDependencies: z.record(z.string(), z.string()),
    runDefaults: z.record(z.string(), version),
    settings: z.record(z.string(), setting),
    localImplicit: z.record(z.string(), version),
    localOnly: z.record(z.string(), z.string()),
    launch: z
      .object({
        environment: z.record(z.string(), version),
        production: z.object({ command: z.array(z.string()).min(1) }).strict(),
      })
      .strict(),
    jmxExporter: z
      .object({
        artifact: z.string().regex(/^[\w.-]+:[\w.-]+$/),
        version,
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        config: z.string(),
        port: z.number().int().min(1).max(65_535),
        containerJar: z.string().startsWith("/"),
        containerConfig: z.string().startsWith("/"),
      })
      .strict(),
    operations: z
      .object({
        requiredEnvironment: z.array(z.string()),
        ignoredEnvironment: z.array(z.string()),
        shutdown: z
          .object({ phases: z.number().int().positive(), marginSeconds: z.number().int().nonnegative() })
          .strict(),
      })
      .strict(),
    capabilities: z
      .object({
        version: z.string(),
        scriptEngines: z.record(z.string(), z.string()),
        scriptEngineNames: z.array(z.string()),
        spin: z.array(z.enum(["json", "xml"])),
        connectors: z.array(z.string()),
        timeZone: z.string(),
        dateOffset: z.string().regex(/^[+-]\d{4}$/),
        startFilters: z.array(z.string()),
        demoUsers: z.array(z.string()),
        authorization: z.boolean(),
        historyLevel: z.enum(["none", "activity", "audit", "full"]),
        historyTimeToLiveEnforced: z.boolean(),
      })
      .strict(),
  })
  .strict();

export type FidelityManifest = z.infer<typeof manifestSchema>;
export type ManifestCapabilities = FidelityManifest["capabilities"];

/** Parses and validates a manifest text; errors name the file and the offending path. */
export function parseManifest(text: string, file: string): FidelityManifest {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new UserError(
      `${displayPath(file)} is not valid YAML (${(error as Error).message.split("\n")[0]}); fix the file.`,
    );
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UserError(
      `${displayPath(file)}: ${issue.path.join(".") || "(top level)"} ${issue.message}; fix the manifest.`,
    );
  }
  return result.data;
}

export function loadManifest(file: string): FidelityManifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UserError(`The engine manifest ${displayPath(file)} cannot be read; restore it from git.`);
  }
  return parseManifest(text, file);
}
