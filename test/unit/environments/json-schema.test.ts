import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { listEnvironments } from "#core/environments/load.js";
import {
  environmentSchemaFile,
  renderEnvironmentSchema,
} from "../../../scripts/generate-environment-schema.js";
import { repoPath } from "../../support/repo.js";

describe("environments/environment.schema.json", () => {
  it("is fresh: equal to what the zod schema generates", () => {
    assert.ok(
      existsSync(environmentSchemaFile),
      "run: node --import tsx scripts/generate-environment-schema.ts",
    );
    // Compared as data: the committed file is laid out by the repository's formatter.
    assert.deepEqual(
      JSON.parse(readFileSync(environmentSchemaFile, "utf8")),
      JSON.parse(renderEnvironmentSchema()),
      "environments/environment.schema.json is stale; run: node --import tsx scripts/generate-environment-schema.ts",
    );
  });

  it("is referenced by every environment file for editors", () => {
    for (const name of listEnvironments(repoPath("environments"))) {
      const text = readFileSync(repoPath("environments", `${name}.yaml`), "utf8");
      assert.match(text, /^# yaml-language-server: \$schema=\.\/environment\.schema\.json$/m, `${name}.yaml`);
    }
  });

  it("accepts every environment file and rejects a broken one (checked by an independent JSON Schema validator)", () => {
    // Python's jsonschema (installed in .venv/tools by scripts/setup-tools.sh) is a second, independent
    // reading of the generated schema: what editors will say about the files.
    const python = repoPath(".venv", "tools", "bin", "python");
    assert.ok(existsSync(python), "the Python tools are missing: run scripts/setup-tools.sh");
    const documents: Record<string, unknown> = {};
    for (const name of listEnvironments(repoPath("environments"))) {
      documents[name] = parse(readFileSync(repoPath("environments", `${name}.yaml`), "utf8"));
    }
    documents["broken-on-purpose"] = {
      name: "x",
      camunda: { restUrl: "https://x.example/engine-rest", tenantId: "a b" },
    };
    const script = [
      "import json, sys",
      "from jsonschema import Draft202012Validator",
      "schema = json.load(open(sys.argv[1]))",
      "docs = json.load(sys.stdin)",
      "validator = Draft202012Validator(schema)",
      "print(json.dumps({k: [e.message for e in validator.iter_errors(v)] for k, v in docs.items()}))",
    ].join("\n");
    const run = spawnSync(python, ["-c", script, path.resolve(environmentSchemaFile)], {
      input: JSON.stringify(documents),
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const errors = JSON.parse(run.stdout) as Record<string, string[]>;
    for (const name of listEnvironments(repoPath("environments")))
      assert.deepEqual(errors[name], [], `${name}.yaml`);
    assert.ok((errors["broken-on-purpose"] ?? []).length > 0, "the schema accepted an invalid tenant id");
  });
});
