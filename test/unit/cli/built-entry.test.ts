/**
 * The CLI's entry point starts from the build in .local/cli/ while it matches the sources, and from the
 * TypeScript through tsx otherwise; both give the same results. Runs in a copy of the checkout, so the
 * build and the edited source of this test never meet other tests.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { repoPath } from "../../support/repo.js";

const checkout = mkdtempSync(path.join(tmpdir(), "cli-entry-"));
after(() => rmSync(checkout, { recursive: true, force: true }));
for (const part of [
  "bin",
  "scripts/build-cli.ts",
  "package.json",
  "tsconfig.json",
  "actions/src",
  "workers/src",
  "processes",
  "test/fixtures/lint",
]) {
  cpSync(repoPath(part), path.join(checkout, part), { recursive: true });
}
symlinkSync(repoPath("node_modules"), path.join(checkout, "node_modules"));

function cli(entry: "built" | "tsx" | undefined, ...args: string[]) {
  const env = { ...process.env, NO_COLOR: "1" } as Record<string, string>;
  delete env.CAMUNDA_GITOPS_ENTRY;
  if (entry) env.CAMUNDA_GITOPS_ENTRY = entry;
  const result = spawnSync(process.execPath, [path.join(checkout, "bin/camunda-gitops.mjs"), ...args], {
    encoding: "utf8",
    env,
    cwd: checkout,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the CLI's entry point: the build when it is current, tsx otherwise", () => {
  test("the build is made, and the built CLI answers like the TypeScript one", () => {
    const build = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(checkout, "scripts/build-cli.ts"), "--root", checkout],
      {
        encoding: "utf8",
        cwd: repoPath(),
      },
    );
    assert.match(build.stdout, /built \.local\/cli\/ from \d+ sources/, build.stdout + build.stderr);

    const help = cli("built", "--help");
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: camunda-gitops <verb>/);

    // Lint with the topic registry (read from the build) gives the same report as through tsx.
    const args = [
      "lint",
      "--format",
      "json",
      "processes",
      "test/fixtures/lint/rules/topic-required/fail.bpmn",
    ];
    const built = cli("built", ...args);
    const viaTsx = cli("tsx", ...args);
    assert.equal(built.code, viaTsx.code, built.stderr);
    assert.deepEqual(JSON.parse(built.stdout), JSON.parse(viaTsx.stdout));
    assert.ok(!built.stdout.includes("topic-registry"), "the registry was loaded from the build");
  });

  test("an edited source makes the build stale: the CLI then runs the TypeScript, and =built says so", () => {
    const source = path.join(checkout, "actions/src/cli/main.ts");
    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    const insisted = cli("built", "--help");
    assert.equal(insisted.code, 2);
    assert.match(insisted.stderr, /older than the sources; run `npm run build:cli`/);
    const fallback = cli(undefined, "--help");
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(fallback.stdout, /Usage: camunda-gitops <verb>/);
  });
});
