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
import { demoDataChecks } from "#core/probe/demo-data.js";
import { dateOffset, type ProbeReport, probeEngine } from "#core/probe/probe.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { repoPath, repoRoot } from "../../support/repo.js";
import { decisionXml, processXml, uniqueKey } from "../release/support.js";

const expected = loadManifest(manifestFile(repoRoot)).capabilities;
const alnum = (prefix: string) => uniqueId(prefix).replace(/[^A-Za-z0-9]/g, "");

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
      "demo-groups",
      "demo-filters",
      "invoice-deployments",
      "authorization",
      "history-level",
      "history-ttl",
    ]) {
      assert.equal(byId[id]?.status, "ok", `${id}: ${JSON.stringify(byId[id])}`);
    }
    assert.equal(byId.scripts?.observed, "groovy 4.0.22, javascript refused");
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

  test("demo data is found on the real engine: a user, a group, a filter, a process and a decision", async () => {
    // Names of this test's own (the shared engine must never hold the real demo names, which other
    // tests expect absent); the queries are the ones the probe sends for the invoice example's names.
    const { client } = recordingClient();
    const names = {
      // The engine accepts only letters and digits in user and group ids.
      users: [alnum("demouser"), alnum("absentuser")],
      groups: [alnum("demogroup")],
      filters: [`Demo tasks ${uniqueId("f")}`],
      processes: [uniqueKey("demo_process")],
      decisions: [uniqueKey("demo_decision")],
    };
    const call = (method: "POST" | "DELETE", path: string, body?: unknown) =>
      fetch(`${testEngine().restUrl}${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${testEngine().username}:${testEngine().password}`).toString("base64")}`,
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => {
        assert.ok(r.ok, `${method} ${path}: HTTP ${r.status} ${await r.clone().text()}`);
        return r.headers.get("content-type")?.includes("json") ? r.json() : null;
      });
    await call("POST", "/user/create", {
      profile: { id: names.users[0], firstName: "Demo", lastName: "User", email: "demo@example.com" },
      credentials: { password: `pw-${uniqueId("x")}` },
    });
    await call("POST", "/group/create", { id: names.groups[0], name: "Demo", type: "WORKFLOW" });
    const filter = (await call("POST", "/filter/create", {
      resourceType: "Task",
      name: names.filters[0],
      query: {},
    })) as { id: string };
    const deployment = await client.deploy({
      name: uniqueId("demo-data"),
      resources: [
        { name: "demo.bpmn", content: processXml(names.processes[0]!) },
        { name: "demo.dmn", content: decisionXml(names.decisions[0]!) },
      ],
    });
    const get = <T>(path: string, query: Record<string, string> = {}) =>
      client.ok(
        (client.api.GET as never as (p: string, i: unknown) => Promise<never>)(path, { params: { query } }),
      ) as Promise<T>;
    try {
      const present = await demoDataChecks(get, names);
      assert.deepEqual(
        present.map((c) => [c.id, c.status, c.observed]),
        [
          ["demo-users", "differs", `present: ${names.users[0]}`],
          ["demo-groups", "differs", `present: ${names.groups[0]}`],
          ["demo-filters", "differs", `present: ${names.filters[0]}`],
          [
            "invoice-deployments",
            "differs",
            `present: process ${names.processes[0]}, decision ${names.decisions[0]}`,
          ],
        ],
      );
    } finally {
      await call("DELETE", `/deployment/${deployment.id}?cascade=true`);
      await call("DELETE", `/filter/${filter.id}`);
      await call("DELETE", `/group/${names.groups[0]}`);
      await call("DELETE", `/user/${names.users[0]}`);
    }
    const gone = await demoDataChecks(get, names);
    assert.deepEqual(
      gone.map((c) => c.status),
      ["ok", "ok", "ok", "ok"],
    );
  });

  test("date offsets as the REST API writes them", () => {
    assert.equal(dateOffset("2026-11-29T06:26:05.167+0000"), "+0000");
    assert.equal(dateOffset("2026-07-01T08:00:00.000+0200"), "+0200");
    assert.equal(dateOffset("2026-07-01T08:00:00Z"), "+0000");
    assert.equal(dateOffset("2026-07-01"), undefined);
  });
});
