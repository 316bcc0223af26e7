/**
 * The data stack's database-user provisioner (inline Python in cloudformation/data.yaml), run as
 * Lambda would run it with python3, its AWS clients replaced by recorders: the SQL it sends to the
 * RDS Data API is executed on a real PostgreSQL as the superuser (standing in for the master user
 * the Data API connects as; there is no Data API here), then Camunda's user logs in with the
 * password from its secret. Its recorded calls are judged against its role with the IAM simulator.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type PostgresDatabase, postgresDatabase } from "../../support/postgres.js";
import { repoPath } from "../../support/repo.js";
import { parseTemplate } from "../../unit/cloudformation/templates.js";
import { environmentModel, refusedCalls } from "./lib/contract.js";
import { allEnvironments } from "./lib/environments.js";
import type { RecordedCall } from "./lib/recorder.js";

const environments = allEnvironments();
const dev = environments.find((e) => e.name === "dev")!;
const model = environmentModel(dev, { allEnvironments: environments });
const data = model.stacks.get("data")!;
const work = mkdtempSync(path.join(tmpdir(), "db-user-"));
const appUser = `camunda_${randomBytes(3).toString("hex")}`;
const appPassword = randomBytes(24).toString("base64url");
const workersUser = `workers_${randomBytes(3).toString("hex")}`;
const workersPassword = randomBytes(24).toString("base64url");
let db: PostgresDatabase;

const fakeBoto3 = `
import json, os
calls = []
class _SecretsManager:
    def get_secret_value(self, SecretId):
        calls.append({"service": "secretsmanager", "operation": "GetSecretValue", "input": {"SecretId": SecretId}})
        return {"SecretString": os.environ["APP_SECRET"]}
class _DataApi:
    def execute_statement(self, **kw):
        calls.append({"service": "rds-data", "operation": "ExecuteStatement", "input": kw})
        if os.environ.get("FAIL_AT") and os.environ["FAIL_AT"] in kw["sql"]:
            raise RuntimeError("ERROR: permission denied, statement: " + kw["sql"])
        return {}
def client(name):
    return {"secretsmanager": _SecretsManager(), "rds-data": _DataApi()}[name]
`;
const fakeCfnResponse = `
import boto3
SUCCESS, FAILED = "SUCCESS", "FAILED"
def send(event, context, status, data, physical_id=None, noEcho=False, reason=None):
    boto3.calls.append({"service": "cloudformation", "operation": "response", "input": {"Status": status, "PhysicalResourceId": physical_id, "Reason": reason}})
`;
const runner = `
import json, sys, boto3, index
class Context:
    log_group_name = "/camunda/dev/database-user-provisioner"
event = json.loads(sys.argv[1])
index.handler(event, Context())
print(json.dumps(boto3.calls))
`;

function inlineCode(): string {
  const template = parseTemplate(repoPath("cloudformation", "data.yaml"));
  const code = (template.Resources.DatabaseUserProvisioner?.Properties?.Code as { ZipFile?: string })
    ?.ZipFile;
  assert.ok(code, "data.yaml DatabaseUserProvisioner has inline code");
  return code;
}

interface Run {
  calls: RecordedCall[];
  response: { Status: string; Reason?: string | null; PhysicalResourceId?: string };
}

function runProvisioner(
  env: Record<string, string> = {},
  resource = "AppDatabaseUser",
  secret = { username: appUser, password: appPassword },
): Run {
  const properties = data.resources.get(resource)!.properties;
  const event = {
    RequestType: "Create",
    ResourceProperties: { ...properties, Database: db.database },
    StackId: data.stackArn,
    RequestId: "request-1",
    LogicalResourceId: resource,
    ResponseURL: "https://cloudformation-custom-resource-response.example/",
  };
  const result = spawnSync("python3", ["run.py", JSON.stringify(event)], {
    cwd: work,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      APP_SECRET: JSON.stringify(secret),
      ...env,
    },
  });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split("\n");
  const all = JSON.parse(lines.at(-1)!) as (RecordedCall & { input: Record<string, unknown> })[];
  const response = all.find((c) => c.operation === "response")!.input as Run["response"];
  return {
    calls: all.filter((c) => c.operation !== "response").map((c) => ({ ...c, via: "mock" as const })),
    response,
  };
}

function loginAs(user: string, password: string): { status: number | null; out: string } {
  const result = spawnSync(
    "psql",
    [
      "-h",
      db.host,
      "-p",
      String(db.port),
      "-U",
      user,
      "-d",
      db.database,
      "-tAc",
      "SELECT current_user, pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
    ],
    { encoding: "utf8", env: { PATH: process.env.PATH, PGPASSWORD: password, PGCONNECT_TIMEOUT: "10" } },
  );
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

before(async () => {
  db = await postgresDatabase();
  writeFileSync(path.join(work, "index.py"), inlineCode());
  writeFileSync(path.join(work, "boto3.py"), fakeBoto3);
  writeFileSync(path.join(work, "cfnresponse.py"), fakeCfnResponse);
  writeFileSync(path.join(work, "run.py"), runner);
});

after(async () => {
  if (db) {
    // Give the database back to its owner so the helper can drop both, then drop Camunda's user.
    await db
      .query(
        `ALTER DATABASE ${db.database} OWNER TO ${db.username}; ALTER SCHEMA public OWNER TO ${db.username}; DROP SCHEMA IF EXISTS camunda_workers CASCADE; DROP ROLE IF EXISTS ${workersUser}; DROP ROLE IF EXISTS ${appUser};`,
      )
      .catch(() => undefined);
    await db.drop();
  }
  rmSync(work, { recursive: true, force: true });
});

describe("database user provisioner (Data API stood in for by the PostgreSQL superuser)", () => {
  let recorded: RecordedCall[] = [];

  test("creates Camunda's user with the secret's password, owning the database; the password never appears in SQL", async () => {
    const run = runProvisioner();
    assert.equal(run.response.Status, "SUCCESS");
    const statements = run.calls.filter((c) => c.service === "rds-data").map((c) => String(c.input.sql));
    assert.equal(statements.length, 5);
    for (const sql of statements) {
      assert.ok(!sql.includes(appPassword), "the password itself is never sent");
      await db.query(sql);
    }
    assert.match(statements[1]!, /^ALTER ROLE camunda_[0-9a-f]+ WITH LOGIN PASSWORD 'SCRAM-SHA-256\$4096:/);
    const login = loginAs(appUser, appPassword);
    assert.equal(login.status, 0, login.out);
    assert.equal(login.out, `${appUser}|${appUser}`, "logged in as Camunda's user, which owns the database");
    assert.notEqual(loginAs(appUser, `${appPassword}x`).status, 0, "a wrong password is refused");
    recorded = run.calls;
  });

  test("creates the workers' user owning only its schema camunda_workers, through the same function and role", async () => {
    const run = runProvisioner({}, "WorkersDatabaseUser", {
      username: workersUser,
      password: workersPassword,
    });
    assert.equal(run.response.Status, "SUCCESS");
    assert.equal(run.response.PhysicalResourceId, "camunda-workers-database-user");
    const statements = run.calls.filter((c) => c.service === "rds-data").map((c) => String(c.input.sql));
    for (const sql of statements) {
      assert.ok(!sql.includes(workersPassword), "the password itself is never sent");
      await db.query(sql);
    }
    const owner = await db.query(
      "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'camunda_workers'",
    );
    assert.deepEqual(owner, [[workersUser]]);
    const role = await db.query(
      `SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = '${workersUser}'`,
    );
    assert.deepEqual(role, [["f", "f", "f"]]);
    assert.equal(loginAs(workersUser, workersPassword).status, 0);
    assert.deepEqual(await refusedCalls(model, "data.DatabaseUserProvisionerRole", run.calls), []);
  });

  test("running it again (stack update, replaced secret) changes nothing and still succeeds", async () => {
    const run = runProvisioner();
    assert.equal(run.response.Status, "SUCCESS");
    for (const call of run.calls.filter((c) => c.service === "rds-data"))
      await db.query(String(call.input.sql));
    assert.equal(loginAs(appUser, appPassword).status, 0);
  });

  test("a failing statement fails the custom resource with its step and error type, never the SQL", () => {
    const run = runProvisioner({ FAIL_AT: "ALTER ROLE" });
    assert.equal(run.response.Status, "FAILED");
    assert.equal(
      run.response.Reason,
      "creating the database user failed at 'set password' (RuntimeError); see /camunda/dev/database-user-provisioner",
    );
  });

  test("its role allows exactly these calls: the app secret, the master secret through the Data API, this cluster", async () => {
    assert.ok(recorded.length >= 6);
    assert.deepEqual(await refusedCalls(model, "data.DatabaseUserProvisionerRole", recorded), []);
    // Another cluster, or a secret it was not given, is refused.
    const stray = recorded.map((c) =>
      c.service === "rds-data"
        ? { ...c, input: { ...c.input, resourceArn: `${String(c.input.resourceArn)}-other` } }
        : c,
    );
    const refused = await refusedCalls(model, "data.DatabaseUserProvisionerRole", stray);
    assert.ok(
      refused.some((r) => r.startsWith("rds-data:ExecuteStatement needs rds-data:ExecuteStatement on")),
      refused.join("\n"),
    );
  });
});
