/**
 * The workers' schema, as numbered migrations applied at every worker start. Each one runs in its own
 * transaction and is recorded in schema_migrations with a checksum of its SQL; all of it happens under
 * a PostgreSQL advisory lock, so when several workers start at once exactly one applies what is
 * missing and the others wait, then find nothing left to do.
 *
 * Rules for new migrations: append, never edit an applied one (its checksum is checked, and a changed
 * one stops every worker with a sentence saying so); keep each one compatible with the workers still
 * running the previous version (add columns and tables, drop in a later release), because a rolling
 * deployment runs both for a while.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { UserError } from "#core/util/errors.js";
import { sleep } from "#core/util/sleep.js";
import { identifier } from "./connection.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL with {schema} standing for the quoted schema name. */
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "policies and notifications, unique by constraint",
    sql: `
CREATE TABLE {schema}.policies (
  application_id text PRIMARY KEY,
  policy_number  text NOT NULL CONSTRAINT policies_policy_number_key UNIQUE,
  holder_name    text NOT NULL,
  premium_pence  bigint NOT NULL CONSTRAINT policies_premium_positive CHECK (premium_pence > 0),
  risk_group     text NOT NULL,
  issued_at      timestamptz NOT NULL,
  task_id        text,
  worker_id      text NOT NULL
);
COMMENT ON TABLE {schema}.policies IS 'One policy per application: the primary key makes a second one impossible, the unique policy number a shared one.';

CREATE TABLE {schema}.notifications (
  idempotency_key text PRIMARY KEY,
  kind            text NOT NULL,
  application_id  text NOT NULL,
  recipient       jsonb NOT NULL,
  subject         text NOT NULL,
  body            text NOT NULL,
  delivery_id     text NOT NULL,
  sent_at         timestamptz NOT NULL,
  task_id         text,
  worker_id       text NOT NULL
);
-- The outcome of an application is told once, whatever key a handler computes.
CREATE UNIQUE INDEX notifications_one_outcome_per_application
  ON {schema}.notifications (application_id, kind)
  WHERE kind IN ('policy-issued', 'application-rejected');
CREATE INDEX notifications_application ON {schema}.notifications (application_id);
COMMENT ON TABLE {schema}.notifications IS 'Transactional outbox: each row is one message, delivered once per idempotency key.';
`,
  },
];

export function checksum(migration: Migration): string {
  return createHash("sha256").update(migration.sql.trim()).digest("hex");
}

export interface MigrationReport {
  /** Versions this call applied (empty when another worker had, or nothing was missing). */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
  /** Milliseconds spent waiting for another worker's migration. */
  waitedMs: number;
}

export interface MigrateOptions {
  schema: string;
  /** Recorded with each migration: which worker applied it. */
  appliedBy: string;
  /** Longest wait for another worker's migration before giving up. */
  lockTimeoutMs?: number;
  list?: readonly Migration[];
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Brings the schema up to date; safe to call from any number of workers at the same moment. */
export async function migrate(pool: pg.Pool, options: MigrateOptions): Promise<MigrationReport> {
  const list = options.list ?? migrations;
  const schema = identifier(options.schema);
  const log = options.log ?? (() => undefined);
  const client = await pool.connect();
  const lockKey = `camunda-workers-migrations:${options.schema}`;
  const started = Date.now();
  let locked = false;
  try {
    // A session-level advisory lock, tried rather than waited for, so the wait is bounded and logged.
    const deadline = started + (options.lockTimeoutMs ?? 120_000);
    let announced = false;
    for (;;) {
      const { rows } = await client.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext($1)) AS ok",
        [lockKey],
      );
      if (rows[0]?.ok) break;
      if (Date.now() > deadline) {
        throw new UserError(
          `another worker has held the schema migration lock of ${options.schema} for over ${Math.round((Date.now() - started) / 1000)} s; check pg_stat_activity for a stuck migration (application_name = the worker id) and start again.`,
          { exitCode: 1 },
        );
      }
      if (!announced) log("another worker is migrating the schema; waiting for it");
      announced = true;
      await sleep(200);
    }
    locked = true;
    const waitedMs = Date.now() - started;
    await ensureSchema(client, options.schema);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      applied_by text NOT NULL
    )`);
    const { rows: done } = await client.query<{ version: number; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM ${schema}.schema_migrations ORDER BY version`,
    );
    const known = new Map(list.map((m) => [m.version, m]));
    for (const row of done) {
      const migration = known.get(row.version);
      if (migration && checksum(migration) !== row.checksum) {
        throw new UserError(
          `migration ${row.version} ("${row.name}") of schema ${options.schema} was applied with different SQL than this worker carries; applied migrations must never change: restore it and add a new migration instead.`,
          { exitCode: 1 },
        );
      }
    }
    const appliedVersions = new Set(done.map((row) => row.version));
    const newest = done.at(-1)?.version ?? 0;
    const ours = list.at(-1)?.version ?? 0;
    if (newest > ours) {
      log("the schema is newer than this worker (a newer version has started); carrying on", {
        schemaVersion: newest,
        workerVersion: ours,
      });
    }
    const applied: number[] = [];
    for (const migration of list) {
      if (appliedVersions.has(migration.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql.replaceAll("{schema}", schema));
        await client.query(
          `INSERT INTO ${schema}.schema_migrations (version, name, checksum, applied_by) VALUES ($1, $2, $3, $4)`,
          [migration.version, migration.name, checksum(migration), options.appliedBy],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new UserError(
          `migration ${migration.version} ("${migration.name}") of schema ${options.schema} failed: ${(error as Error).message}; nothing of it was applied (it ran in one transaction).`,
          { exitCode: 1, cause: error },
        );
      }
      applied.push(migration.version);
      log("applied schema migration", { version: migration.version, name: migration.name });
    }
    return { applied, version: Math.max(newest, ...applied, 0), waitedMs };
  } finally {
    if (locked)
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [lockKey]).catch(() => undefined);
    client.release();
  }
}

/**
 * In AWS the schema exists already (provisioned with its owner, the workers' role); locally the
 * database owner may create it. CREATE SCHEMA IF NOT EXISTS checks the right to create first, so the
 * existence is checked here.
 */
async function ensureSchema(client: pg.PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ owner: string; mine: boolean }>(
    "SELECT pg_get_userbyid(nspowner) AS owner, has_schema_privilege(nspname, 'CREATE') AS mine FROM pg_namespace WHERE nspname = $1",
    [schema],
  );
  const found = rows[0];
  if (found && !found.mine) {
    throw new UserError(
      `the workers' database user may not create tables in schema ${schema} (owned by ${found.owner}); make it the schema's owner (see workers/README.md, "Provisioning the database user").`,
      { exitCode: 1 },
    );
  }
  if (found) return;
  try {
    await client.query(`CREATE SCHEMA ${identifier(schema)}`);
  } catch (error) {
    if ((error as { code?: string }).code === "42P06") return; // created meanwhile by someone else
    throw new UserError(
      `schema ${schema} does not exist and the workers' database user may not create it (${(error as Error).message}); provision it first (see workers/README.md, "Provisioning the database user").`,
      { exitCode: 1, cause: error },
    );
  }
}
