/**
 * The workers' PostgreSQL store on a real PostgreSQL 16, with the login role and schema the data
 * stack's provisioner creates: migrations (concurrent first start, checksums), policies and
 * notifications unique by constraint under concurrent writers from two "hosts" (two pools), and the
 * role's refusals outside its schema.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { UserError } from "#core/util/errors.js";
import { createPool } from "#workers/ports/postgres/connection.js";
import { checksum, type Migration, migrate, migrations } from "#workers/ports/postgres/migrations.js";
import { PostgresOutboxNotifier } from "#workers/ports/postgres/notifier.js";
import { PostgresPolicyStore } from "#workers/ports/postgres/policy-store.js";
import { createLogger } from "#workers/runtime/logger.js";
import { openStores } from "#workers/runtime/stores.js";
import { type WorkersDatabase, workersDatabase } from "../support/postgres-store.js";

let wdb: WorkersDatabase;
const pools: pg.Pool[] = [];
const pool = (name: string) => {
  const p = createPool(wdb.settings, name);
  pools.push(p);
  return p;
};
const NOW = new Date("2026-03-14T09:30:00.123Z");
const terms = (applicationId: string) => ({
  applicationId,
  holderName: "Ada Lovelace",
  premiumPence: 82_050,
  riskGroup: "GREEN",
});

before(async () => {
  wdb = await workersDatabase();
});
after(async () => {
  await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  await wdb?.drop();
});

describe("schema migrations", () => {
  it("eight workers starting at once: the migrations run exactly once, the others wait and find them done", async () => {
    const reports = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        migrate(pool(`starter-${i}`), { schema: wdb.schema, appliedBy: `starter-${i}` }),
      ),
    );
    const appliers = reports.filter((r) => r.applied.length > 0);
    assert.equal(appliers.length, 1, "one worker applied them");
    assert.deepEqual(
      appliers[0]?.applied,
      migrations.map((m) => m.version),
    );
    for (const report of reports) assert.equal(report.version, migrations.at(-1)?.version);
    const rows = await wdb.db.query(
      `SELECT version, applied_by, checksum FROM ${wdb.schema}.schema_migrations ORDER BY version`,
    );
    assert.deepEqual(
      rows.map(([version]) => Number(version)),
      migrations.map((m) => m.version),
    );
    assert.equal(new Set(rows.map(([, by]) => by)).size, 1, "applied by one worker");
    assert.equal(rows[0]?.[2], checksum(migrations[0] as Migration));
    // The tables belong to the workers' role: it created them inside its own schema.
    const owners = await wdb.db.query(
      `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = '${wdb.schema}'`,
    );
    assert.deepEqual(owners, [[wdb.role]]);
  });

  it("starting again changes nothing", async () => {
    const report = await migrate(pool("again"), { schema: wdb.schema, appliedBy: "again" });
    assert.deepEqual(report.applied, []);
  });

  it("refuses to start when an applied migration's SQL changed", async () => {
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    await assert.rejects(
      migrate(pool("edited"), { schema: wdb.schema, appliedBy: "edited", list: edited }),
      (error: unknown) =>
        error instanceof UserError &&
        /migration 1 \(".*"\) of schema camunda_workers was applied with different SQL.*add a new migration instead/.test(
          error.message,
        ),
    );
  });

  it("a failing migration leaves nothing of itself behind and says which one", async () => {
    const broken: Migration = {
      version: 999,
      name: "half a migration",
      sql: "CREATE TABLE {schema}.half (id int); SELECT 1/0;",
    };
    await assert.rejects(
      migrate(pool("broken"), { schema: wdb.schema, appliedBy: "broken", list: [...migrations, broken] }),
      /migration 999 \("half a migration"\) of schema camunda_workers failed: division by zero; nothing of it was applied/,
    );
    const half = await wdb.db.query(`SELECT to_regclass('${wdb.schema}.half') IS NULL`);
    assert.deepEqual(half, [["t"]]);
  });
});

describe("policies: one per application, by constraint", () => {
  it("two hosts issuing the same application's policy 20 times at once store one policy and all return it", async () => {
    const hostA = new PostgresPolicyStore(pool("host-a"), wdb.schema, "host-a");
    const hostB = new PostgresPolicyStore(pool("host-b"), wdb.schema, "host-b");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? hostA : hostB).issue(terms("APP-RACE"), NOW, { taskId: `t${i}` }),
      ),
    );
    assert.equal(results.filter((r) => r.created).length, 1, "exactly one call created it");
    assert.equal(
      new Set(results.map((r) => r.policy.policyNumber)).size,
      1,
      "every call returns the same number",
    );
    assert.equal(results[0]?.policy.issuedAt, NOW.toISOString(), "the issue time survives the round trip");
    const rows = await wdb.db.query(
      `SELECT count(*), min(worker_id) FROM ${wdb.schema}.policies WHERE application_id = 'APP-RACE'`,
    );
    assert.equal(rows[0]?.[0], "1");
  });

  it("a policy number already taken by another application is drawn again, never shared", async () => {
    const numbers = ["MTR-26-SAME000000", "MTR-26-SAME000000", "MTR-26-OTHER00000"];
    const store = new PostgresPolicyStore(
      pool("numbers"),
      wdb.schema,
      "numbers",
      () => numbers.shift() ?? "x",
    );
    const first = await store.issue(terms("APP-N1"), NOW);
    const second = await store.issue(terms("APP-N2"), NOW);
    assert.equal(first.policy.policyNumber, "MTR-26-SAME000000");
    assert.equal(second.policy.policyNumber, "MTR-26-OTHER00000");
  });

  it("the database itself refuses a second policy, a shared number and a zero premium", async () => {
    const p = pool("raw");
    const insert = (app: string, number: string, premium: number) =>
      p.query(
        `INSERT INTO ${wdb.schema}.policies (application_id, policy_number, holder_name, premium_pence, risk_group, issued_at, worker_id) VALUES ($1, $2, 'x', $3, 'GREEN', now(), 'raw')`,
        [app, number, premium],
      );
    await insert("APP-RAW", "MTR-26-RAW0000000", 100);
    await assert.rejects(insert("APP-RAW", "MTR-26-RAW0000001", 100), {
      code: "23505",
      constraint: "policies_pkey",
    });
    await assert.rejects(insert("APP-RAW2", "MTR-26-RAW0000000", 100), {
      code: "23505",
      constraint: "policies_policy_number_key",
    });
    await assert.rejects(insert("APP-RAW3", "MTR-26-RAW0000003", 0), {
      code: "23514",
      constraint: "policies_premium_positive",
    });
  });
});

describe("notifications: one per key, one outcome per application, by constraint", () => {
  const message = (key: string, kind: "policy-issued" | "documents-requested" = "policy-issued") => ({
    idempotencyKey: key,
    kind,
    applicationId: "APP-MAIL",
    to: { type: "applicant" as const, name: "Ada", email: "ada@example.org" },
    subject: "Your policy",
    body: "issued",
  });

  it("two hosts sending the same message 20 times at once store it once and all return that delivery", async () => {
    const hostA = new PostgresOutboxNotifier(pool("mail-a"), wdb.schema, "mail-a");
    const hostB = new PostgresOutboxNotifier(pool("mail-b"), wdb.schema, "mail-b");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? hostA : hostB).send(message("APP-MAIL:policy-issued"), NOW),
      ),
    );
    assert.equal(results.filter((r) => !r.duplicate).length, 1);
    assert.equal(new Set(results.map((r) => r.delivery.deliveryId)).size, 1);
    const rows = await wdb.db.query(
      `SELECT count(*) FROM ${wdb.schema}.notifications WHERE application_id = 'APP-MAIL'`,
    );
    assert.deepEqual(rows, [["1"]]);
  });

  it("the outcome of an application is told once even under another key; other kinds may repeat", async () => {
    const notifier = new PostgresOutboxNotifier(pool("mail-c"), wdb.schema, "mail-c");
    const again = await notifier.send(message("a-different-key"), NOW);
    assert.equal(again.duplicate, true);
    assert.equal(again.delivery.deliveryId, "policy-issued:APP-MAIL:policy-issued");
    const first = await notifier.send(
      message("APP-MAIL:documents-requested:task-1", "documents-requested"),
      NOW,
    );
    const second = await notifier.send(
      message("APP-MAIL:documents-requested:task-2", "documents-requested"),
      NOW,
    );
    assert.equal(first.duplicate || second.duplicate, false);
  });
});

describe("the workers' role reaches its own schema and nothing else", () => {
  it("is refused Camunda's tables, the public schema, other schemas and roles", async () => {
    // A table of Camunda's, owned by the engine's user as in production.
    await wdb.db.query(
      `CREATE TABLE public.act_ru_ext_task (id_ text); ALTER TABLE public.act_ru_ext_task OWNER TO ${wdb.db.username};`,
    );
    const p = pool("attacker");
    for (const [sql, what] of [
      ["SELECT * FROM public.act_ru_ext_task", "read Camunda's tables"],
      ["DELETE FROM public.act_ru_ext_task", "change Camunda's tables"],
      ["CREATE TABLE public.stolen (x int)", "create tables in public"],
      ["CREATE SCHEMA elsewhere", "create schemas"],
      ["CREATE ROLE intruder LOGIN", "create roles"],
      [`ALTER ROLE ${wdb.db.username} PASSWORD 'x'`, "change other roles"],
    ] as const) {
      await assert.rejects(p.query(sql), { code: "42501" }, `may not ${what}`);
    }
    const { rows } = await p.query<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
      "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user",
    );
    assert.deepEqual(rows[0], { rolsuper: false, rolcreaterole: false, rolcreatedb: false });
    const { rows: path } = await p.query<{ search_path: string }>("SHOW search_path");
    assert.equal(path[0]?.search_path, wdb.schema);
  });
});

describe("opening the store", () => {
  const logger = createLogger({ level: "silent" });

  it("refuses a wrong password with one sentence naming the database and the variables to check", async () => {
    await assert.rejects(
      openStores({
        store: { kind: "postgres", postgres: { ...wdb.settings, password: "wrong" } },
        dataDir: "/nonexistent",
        workerId: "w",
        logger,
      }),
      (error: unknown) =>
        error instanceof UserError &&
        error.message.startsWith(
          `PostgreSQL ${wdb.settings.host}:${wdb.settings.port}/${wdb.settings.database} as ${wdb.role} refused the workers`,
        ) &&
        /check WORKER_DB_USER, WORKER_DB_PASSWORD and WORKER_DB_NAME/.test(error.message),
    );
  });

  it("refuses a schema the role does not own, saying how to provision it", async () => {
    await wdb.db.query("CREATE SCHEMA not_theirs");
    await assert.rejects(
      openStores({
        store: { kind: "postgres", postgres: { ...wdb.settings, schema: "not_theirs" } },
        dataDir: "/nonexistent",
        workerId: "w",
        logger,
      }),
      /may not create tables in schema not_theirs \(owned by .*\); make it the schema's owner/,
    );
  });

  it("opens, tracks readiness and closes", async () => {
    const stores = await openStores({
      store: { kind: "postgres", postgres: wdb.settings },
      dataDir: "/nonexistent",
      workerId: "w",
      logger,
    });
    try {
      assert.equal(stores.kind, "postgres");
      assert.equal(stores.notReadyReason(), undefined);
      const { policy } = await stores.policies.issue(terms("APP-OPEN"), NOW);
      assert.equal((await stores.policies.find("APP-OPEN"))?.policyNumber, policy.policyNumber);
    } finally {
      await stores.close();
    }
  });
});
