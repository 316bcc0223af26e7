/**
 * The deploy-time check for Camunda Run's invoice example on the real engine, both ways it runs:
 * - deploy/scripts/validate.sh (the CodeDeploy ValidateService hook, bash and curl) as the admin user;
 * - the engine probe's demo checks (actions/src/probe/demo-data.ts, run by `release --smoke`) as the
 *   release user of environments/local.yaml, with authorization on.
 * The shared test engine must never hold the example's real names (other tests expect them absent),
 * so the demo user, group, filter, process and decision are created under this file's own names; for
 * validate.sh, a copy of the hook gets them in place of its lists (test/unit/bundle/demo-data-lists.test.ts
 * keeps the real lists equal to the probe's).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { CamundaClient } from "#core/camunda/index.js";
import { type DemoData, demoDataChecks } from "#core/probe/demo-data.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { type ProvisionedEnvironment, provisionEnvironment } from "../../support/identities.js";
import { repoPath } from "../../support/repo.js";
import { decisionXml, processXml, uniqueKey } from "../release/support.js";

const engine = testEngine();
const alnum = (prefix: string) => uniqueId(prefix).replace(/[^A-Za-z0-9]/g, "");
const names: DemoData = {
  users: [alnum("demouser")],
  groups: [alnum("demogroup")],
  // An apostrophe as in the example's "John's Tasks": quoting must survive bash, curl and JSON.
  filters: [`Demo's tasks ${uniqueId("f")}`],
  processes: [uniqueKey("demo_process")],
  decisions: [uniqueKey("demo_decision")],
};

const work = mkdtempSync(path.join(os.tmpdir(), "validate-demo-"));
let workers: Server;
let workersPort = 0;
let local: ProvisionedEnvironment;

before(async () => {
  workers = createServer((request, response) => {
    response.statusCode = request.url === "/readyz" ? 200 : 404;
    response.end();
  });
  await new Promise<void>((resolve) => workers.listen(0, "127.0.0.1", resolve));
  workersPort = (workers.address() as AddressInfo).port;
  // The hook as shipped, with this file's names in place of the example's.
  const bash = (list: readonly string[]) => list.map((name) => `"${name.replaceAll('"', '\\"')}"`).join(" ");
  const script = readFileSync(repoPath("deploy/scripts/validate.sh"), "utf8")
    .replace(/^demo_users=\(.*\)$/m, `demo_users=(${bash(names.users)})`)
    .replace(/^demo_groups=\(.*\)$/m, `demo_groups=(${bash(names.groups)})`)
    .replace(/^demo_filters=\(.*\)$/m, `demo_filters=(${bash(names.filters)})`)
    .replace(/^invoice_processes=\(.*\)$/m, `invoice_processes=(${bash(names.processes)})`)
    .replace(/^invoice_decisions=\(.*\)$/m, `invoice_decisions=(${bash(names.decisions)})`);
  for (const name of ["users", "groups", "filters", "processes", "decisions"] as const)
    assert.ok(script.includes(bash(names[name])), `validate.sh's ${name} list was replaced`);
  writeFileSync(path.join(work, "validate.sh"), script);
  chmodSync(path.join(work, "validate.sh"), 0o755);
  copyFileSync(repoPath("deploy/scripts/lib.sh"), path.join(work, "lib.sh"));
  local = await provisionEnvironment("local");
});

after(async () => {
  await new Promise((resolve) => workers.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/**
 * validate.sh against the test engine, logged in as `user`; asynchronous, so this process's workers
 * stand-in can answer /readyz meanwhile.
 */
function validate(
  user: string,
  password: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const envFile = path.join(work, `runtime-${user}.env`);
  const port = new URL(engine.restUrl).port;
  writeFileSync(
    envFile,
    [
      `CAMUNDA_PORT='${port}'`,
      `WORKER_HTTP_PORT='${workersPort}'`,
      `CAMUNDA_ADMIN_USER='${user}'`,
      `CAMUNDA_ADMIN_PASSWORD='${password}'`,
      "",
    ].join("\n"),
  );
  return new Promise((resolve) => {
    execFile(
      path.join(work, "validate.sh"),
      [],
      {
        env: {
          PATH: process.env.PATH,
          CAMUNDA_ENV_FILE: envFile,
          LIFECYCLE_EVENT: "ValidateService",
          VALIDATE_TIMEOUT_SECONDS: "30",
          VALIDATE_INTERVAL_SECONDS: "1",
        },
        encoding: "utf8",
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** GET through a client, as the probe calls it. */
function getter(client: CamundaClient) {
  return <T>(p: string, query: Record<string, string> = {}) =>
    client.ok(
      (client.api.GET as never as (p: string, i: unknown) => Promise<never>)(p, { params: { query } }),
    ) as Promise<T>;
}

async function call(method: "POST" | "DELETE", p: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${engine.restUrl}${p}`, {
    method,
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`${engine.username}:${engine.password}`).toString("base64")}`,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  assert.ok(response.ok, `${method} ${p}: HTTP ${response.status} ${await response.clone().text()}`);
  return response.headers.get("content-type")?.includes("json") ? response.json() : null;
}

describe("the invoice example's demo data is refused at deploy time, on the real engine", () => {
  test("validate.sh and the release user's probe report the demo data while it exists, and pass once it is gone", async () => {
    const clean = await validate(engine.username, engine.password);
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /no demo data of the invoice example/);

    await call("POST", "/user/create", {
      profile: { id: names.users[0], firstName: "Demo", lastName: "User" },
      credentials: { password: names.users[0] },
    });
    await call("POST", "/group/create", { id: names.groups[0], name: "Demo", type: "WORKFLOW" });
    const filter = (await call("POST", "/filter/create", {
      resourceType: "Task",
      name: names.filters[0],
      query: {},
    })) as { id: string };
    const deployment = await engine.client.deploy({
      name: uniqueId("demo-data"),
      resources: [
        { name: "demo.bpmn", content: processXml(names.processes[0]!) },
        { name: "demo.dmn", content: decisionXml(names.decisions[0]!) },
      ],
    });
    try {
      const refused = await validate(engine.username, engine.password);
      assert.equal(refused.status, 1, refused.stdout + refused.stderr);
      const sentence = refused.stderr.trim().split("\n").at(-1) ?? "";
      assert.match(
        sentence,
        /ValidateService: ERROR: the engine still holds Camunda Run's invoice example \(/,
      );
      assert.ok(
        sentence.includes(
          `(users ${names.users[0]}; groups ${names.groups[0]}; filters ${names.filters[0]}; definitions process ${names.processes[0]}, decision ${names.decisions[0]})`,
        ),
        sentence,
      );
      assert.match(sentence, /docs\/operations\.md .*turn the example off first/);

      const asRelease = await demoDataChecks(getter(local.as("release")), names);
      assert.deepEqual(
        asRelease.map((c) => [c.id, c.status, c.observed]),
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
    const passes = await validate(engine.username, engine.password);
    assert.equal(passes.status, 0, passes.stdout + passes.stderr);
    const gone = await demoDataChecks(getter(local.as("release")), names);
    assert.deepEqual(
      gone.map((c) => [c.id, c.status]),
      [
        ["demo-users", "ok"],
        ["demo-groups", "ok"],
        ["demo-filters", "ok"],
        ["invoice-deployments", "ok"],
      ],
    );
  });

  test("a user who may not read users, groups, filters or definitions cannot pass the check", async () => {
    // The workers user reads none of them: a query would answer an empty list, which is no proof.
    const probe = await demoDataChecks(getter(local.as("workers")), names);
    assert.deepEqual(
      probe.map((c) => [c.id, c.status, c.observed]),
      [
        [
          "demo-users",
          "differs",
          "cannot check: this user lacks READ on User (grant it READ in the environment file's identities)",
        ],
        [
          "demo-groups",
          "differs",
          "cannot check: this user lacks READ on Group (grant it READ in the environment file's identities)",
        ],
        [
          "demo-filters",
          "differs",
          "cannot check: this user lacks READ on Filter (grant it READ in the environment file's identities)",
        ],
        [
          "invoice-deployments",
          "differs",
          "cannot check: this user lacks READ on ProcessDefinition and DecisionDefinition (grant it READ in the environment file's identities)",
        ],
      ],
    );
    const hook = await validate("workers", local.password("workers"));
    assert.equal(hook.status, 1, hook.stdout + hook.stderr);
    assert.match(
      hook.stderr,
      /ERROR: cannot check the engine for the invoice example's demo data: the admin user 'workers' lacks READ on User, Group, Filter, ProcessDefinition, DecisionDefinition \(it must be a member of camunda-admin\)\n$/,
    );
  });
});
