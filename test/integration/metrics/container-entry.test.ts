/**
 * The exporter as the hosts run it: the esbuild bundle the workers' image carries (workers/dist/metrics.mjs,
 * `node /app/metrics.mjs`), started with Node alone and its settings from the environment, polling the
 * real engine. A missing setting is one sentence and exit 2.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildWorkersBundle, exporterEntry } from "#core/bundle/workers-bundle.js";
import { findFreePort } from "#core/engine/ports.js";
import { testEngine, waitFor } from "../../support/engine.js";
import { scrape } from "../../support/prometheus.js";
import { repoRoot } from "../../support/repo.js";

describe("metrics exporter container entry (bundled, Node alone) on the real engine", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "metrics-bundle-"));
  const bundle = path.join(dir, "metrics.mjs");
  let child: ChildProcess | undefined;
  before(async () => {
    await buildWorkersBundle(repoRoot, bundle, exporterEntry);
  });
  after(() => {
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the engine's figures on METRICS_HTTP_PORT and stops on SIGTERM", async () => {
    const engine = testEngine();
    const port = await findFreePort();
    child = spawn(process.execPath, [bundle], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "",
        CAMUNDA_URL: engine.restUrl,
        CAMUNDA_USERNAME: engine.username,
        CAMUNDA_PASSWORD: engine.password,
        METRICS_HTTP_HOST: "127.0.0.1",
        METRICS_HTTP_PORT: String(port),
        METRICS_INTERVAL_SECONDS: "1",
      },
    });
    const metrics = await waitFor(
      "the bundled exporter's first successful poll",
      async () => {
        try {
          const m = await scrape(`http://127.0.0.1:${port}/metrics`);
          return m.value("camunda_exporter_up") === 1 ? m : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.ok((metrics.value("camunda_exporter_poll_requests") ?? 0) > 0);
    const exited = new Promise<number | null>((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    child = undefined;
  });

  it("a missing setting is one sentence and exit 2", () => {
    const result = spawnSync(process.execPath, [bundle], {
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(result.status, 2);
    assert.equal(
      result.stderr.trim(),
      "metrics exporter: CAMUNDA_URL is not set; the compose file passes it from the host's runtime settings.",
    );
  });
});
