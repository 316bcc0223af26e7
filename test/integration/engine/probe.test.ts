/**
 * The engine capability probe against the real local engine the test runner starts: every capability
 * the production image has (engine/run-7.23.0.yaml) is found, through the CLI as a user runs it; the
 * read-only mode sends nothing but GET requests; and a capability the engine lacks is reported.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { createCamundaClient } from "#core/camunda/index.js";
import { loadManifest, manifestFile } from "#core/fidelity/manifest.js";
import { dateOffset, type ProbeReport, probeEngine } from "#core/probe/probe.js";
import { testEngine } from "../../support/engine.js";
import { repoPath, repoRoot } from "../../support/repo.js";

const expected = loadManifest(manifestFile(repoRoot)).capabilities;

function recordingClient() {
  const engine = testEngine();
  const methods: string[] = [];
  const client = createCamundaClient({
    baseUrl: engine.restUrl,
    username: engine.username,
    password: engine.password,
    fetch: (input, init) => {
      methods.push(input instanceof Request ? input.method : (init?.method ?? "GET"));
      return fetch(input, init);
    },
  });
  return { client, methods };
}

describe("engine probe on the local engine", () => {
  test("`camunda-gitops engine probe --env local` finds every production capability (full probe)", () => {
    const engine = testEngine();
    const result = spawnSync(
      process.execPath,
      [repoPath("bin/camunda-gitops.mjs"), "engine", "probe", "--env", "local", "--format", "json"],
      {
        cwd: repoRoot,
        encoding: "utf8",
        env: {
          ...process.env,
          CAMUNDA_URL: engine.restUrl,
          CAMUNDA_USERNAME: engine.username,
          CAMUNDA_PASSWORD: engine.password,
        },
        timeout: 180_000,
      },
    );
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(result.stdout) as ProbeReport & { image: string };
    assert.equal(report.mode, "full");
    assert.equal(report.image, "camunda/camunda-bpm-platform:run-7.23.0");
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    for (const id of [
      "version",
      "scripts",
      "script-engine-list",
      "spin",
      "connectors",
      "time-zone",
      "date-offset",
      "filters",
      "demo-users",
      "authorization",
      "history-level",
      "history-ttl",
    ]) {
      assert.equal(byId[id]?.status, "ok", `${id}: ${JSON.stringify(byId[id])}`);
    }
    assert.equal(byId.scripts?.observed, "groovy 4.0.22, javascript Graal.js");
    assert.equal(byId.spin?.observed, "json, xml");
    assert.match(
      byId.connectors?.observed ?? "",
      /^none \(No connector found for connector id 'http-connector'\)/,
    );
    assert.equal(byId["time-zone"]?.observed, "UTC");
    assert.equal(report.differences, 0);
  });

  test("the read-only probe sends GET requests only, and leaves no probe deployment behind", async () => {
    const { client, methods } = recordingClient();
    const report = await probeEngine(client, { mode: "read-only", expected });
    assert.ok(methods.length >= 5);
    assert.deepEqual([...new Set(methods)], ["GET"]);
    assert.equal(report.differences, 0, JSON.stringify(report.checks));
    assert.deepEqual(
      report.checks.filter((c) => c.status === "skipped").map((c) => c.id),
      ["scripts", "spin", "connectors", "time-zone", "history-level", "history-ttl"],
    );
    const left = (await client.ok(
      client.api.GET("/deployment", { params: { query: { source: "camunda-gitops-probe" } } }),
    )) as unknown[];
    assert.equal(left.length, 0);
  });

  test("an engine that differs from the manifest is reported, check by check", async () => {
    const { client } = recordingClient();
    const report = await probeEngine(client, {
      mode: "full",
      expected: {
        ...expected,
        connectors: ["http-connector"],
        scriptEngines: { groovy: "4.0.26", javascript: "Graal.js" },
        // The engine runs with authorization on (as production): expecting it off is a difference.
        authorization: false,
      },
    });
    const differing = report.checks.filter((c) => c.status === "differs").map((c) => c.id);
    assert.deepEqual(differing, ["scripts", "connectors", "authorization"]);
    assert.equal(report.differences, 3);
  });

  test("date offsets as the REST API writes them", () => {
    assert.equal(dateOffset("2026-11-29T06:26:05.167+0000"), "+0000");
    assert.equal(dateOffset("2026-07-01T08:00:00.000+0200"), "+0200");
    assert.equal(dateOffset("2026-07-01T08:00:00Z"), "+0000");
    assert.equal(dateOffset("2026-07-01"), undefined);
  });
});
