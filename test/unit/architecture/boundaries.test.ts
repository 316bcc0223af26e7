/**
 * The architecture, enforced: the rules in rules.ts over the real import graph must find nothing,
 * and over a small tree built to break each of them they must each find the break (so none of them
 * can pass by reading nothing).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot } from "../../support/repo.js";
import { readImportGraph } from "./import-graph.js";
import { rules } from "./rules.js";

describe("architecture: the boundaries hold in this repository", () => {
  const graph = readImportGraph(repoRoot);

  it("reads the whole import graph", () => {
    assert.ok(graph.files.length > 100, `only ${graph.files.length} source files found`);
    const resolved = graph.edges.filter((e) => e.to !== undefined);
    assert.ok(resolved.length > 300, `only ${resolved.length} project imports resolved`);
    // Every project import resolves to a file that exists: a typo would otherwise hide an edge.
    const missing = resolved.filter((e) => !graph.files.includes(e.to!) && !e.to!.endsWith(".json"));
    assert.deepEqual(
      missing.map((e) => `${e.from}:${e.line} → ${e.specifier}`),
      [],
    );
  });

  for (const [name, rule] of Object.entries(rules)) {
    it(name, () => assert.deepEqual(rule(graph), []));
  }
});

describe("architecture: each rule finds a break", () => {
  const root = mkdtempSync(path.join(tmpdir(), "architecture-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write(
    "actions/src/release/release.ts",
    'import * as core from "@actions/core";\nimport { x } from "#workers/registry.js";\n',
  );
  write("actions/src/release/uses-verb.ts", 'import { command } from "#core/cli/commands/lint.js";\n');
  write("actions/src/release/uses-adapter.ts", 'import "../../release-processes/main.js";\n');
  write("actions/src/release/uses-test.ts", 'import { repoRoot } from "../../../test/support/repo.js";\n');
  write(
    "actions/src/util/paths.ts",
    'const here = fileURLToPath(import.meta.url);\nimport "#core/engine/state.js";\n',
  );
  write("actions/src/engine/state.ts", "export const x = 1;\n");
  write("actions/src/cli/main.ts", 'import("./commands/lint.js");\n');
  write("actions/src/cli/commands/lint.ts", 'import "#workers/topics/issue-policy.js";\n');
  write("actions/release-processes/main.ts", 'import "#core/engine/state.js";\n');
  write(
    "workers/src/registry.ts",
    'import { lint } from "#core/lint/index.js";\nimport "#core/util/paths.js";\n',
  );
  write("workers/src/topics/issue-policy.ts", "export {};\n");
  write("test/support/repo.ts", "export const repoRoot = '';\n");
  write("workers/src/runtime/worker.ts", "// a worker that does everything\n".repeat(450));
  const graph = readImportGraph(root);

  const expected: Record<keyof typeof rules, RegExp> = {
    "the core, the CLI and the workers never import @actions/*": /release\.ts:1: imports @actions\/core/,
    "the core never imports workers/ (the CLI only their composition root)":
      /commands\/lint\.ts:1: .*the CLI may start only[\s\S]*release\.ts:2: .*does not depend on the workers/,
    "the workers use only a named part of the core":
      /paths\.ts:2: .*would then carry[\s\S]*registry\.ts:1: imports #core\/lint/,
    "only the CLI's entry imports a CLI verb": /uses-verb\.ts:1: imports the CLI verb/,
    "the core never imports an adapter": /uses-adapter\.ts:1: the core imports the adapter/,
    "shipped code never imports tests, benchmarks, scripts or process tests":
      /uses-test\.ts:1: imports test\/support\/repo\.ts/,
    "no GitHub Action carries the local engine, the platform or the CLI":
      /release-processes\/main\.ts: reaches actions\/src\/engine\/state\.ts/,
    "no shipped module computes a path from its own location": /util\/paths\.ts:1: works out a path/,
    "no shipped module is longer than 400 lines": /workers\/src\/runtime\/worker\.ts: 451 lines/,
  };
  for (const [name, rule] of Object.entries(rules) as [
    keyof typeof rules,
    (typeof rules)[keyof typeof rules],
  ][]) {
    it(`“${name}” reports the break`, () => {
      assert.match(rule(graph).join("\n"), expected[name]);
    });
  }
});
