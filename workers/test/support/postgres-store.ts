/**
 * A PostgreSQL database (test/support/postgres.ts) with the workers' own login role and schema,
 * provisioned exactly as AWS provisions them: the SQL comes from the data stack's provisioner
 * (cloudformation/data.yaml, DatabaseUserProvisioner's `workers_statements`), run with python3 and
 * executed as the superuser, which stands in for the RDS master user. So the tests prove that what the
 * template grants is what the workers need, and no more.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PostgresSettings } from "#workers/ports/postgres/settings.js";
import { type PostgresDatabase, postgresDatabase } from "../../../test/support/postgres.js";
import { repoPath } from "../../../test/support/repo.js";
import { parseTemplate } from "../../../test/unit/cloudformation/templates.js";

export interface WorkersDatabase {
  db: PostgresDatabase;
  role: string;
  schema: string;
  settings: PostgresSettings;
  /** The WORKER_STORE / WORKER_DB_* variables a worker process needs for this database. */
  env(extra?: Record<string, string>): Record<string, string>;
  drop(): Promise<void>;
}

/** The template's provisioning statements for the workers' role (python3 runs the inline code). */
export function templateProvisioningSql(
  role: string,
  database: string,
  schema: string,
  password: string,
): string[] {
  const template = parseTemplate(repoPath("cloudformation", "data.yaml"));
  const code = (template.Resources.DatabaseUserProvisioner?.Properties?.Code as { ZipFile?: string })
    ?.ZipFile;
  assert.ok(code, "cloudformation/data.yaml: DatabaseUserProvisioner has inline code");
  const work = mkdtempSync(path.join(tmpdir(), "workers-provision-"));
  try {
    writeFileSync(path.join(work, "index.py"), code);
    // The function's AWS modules are not needed to compute statements: empty stand-ins.
    writeFileSync(path.join(work, "boto3.py"), "");
    writeFileSync(path.join(work, "cfnresponse.py"), "");
    const result = spawnSync(
      "python3",
      [
        "-c",
        "import json, sys, index\nprint(json.dumps([sql for _, sql in index.workers_statements(sys.argv[1], sys.argv[2], sys.argv[3], index.scram_verifier(sys.argv[4]))]))",
        role,
        database,
        schema,
        password,
      ],
      { cwd: work, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } },
    );
    assert.equal(result.status, 0, `the provisioner's workers_statements failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as string[];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function workersDatabase(): Promise<WorkersDatabase> {
  const db = await postgresDatabase();
  const role = `workers_${randomBytes(4).toString("hex")}`;
  const schema = "camunda_workers";
  const password = randomBytes(18).toString("base64url");
  try {
    for (const sql of templateProvisioningSql(role, db.database, schema, password)) await db.query(sql);
  } catch (error) {
    await db.drop();
    throw error;
  }
  const settings: PostgresSettings = {
    host: db.host,
    port: db.port,
    database: db.database,
    user: role,
    password,
    schema,
    sslMode: "disable",
    poolSize: 10,
    statementTimeoutMs: 15_000,
  };
  let dropped = false;
  return {
    db,
    role,
    schema,
    settings,
    env: (extra = {}) => ({
      WORKER_STORE: "postgres",
      WORKER_DB_HOST: db.host,
      WORKER_DB_PORT: String(db.port),
      WORKER_DB_NAME: db.database,
      WORKER_DB_USER: role,
      WORKER_DB_PASSWORD: password,
      WORKER_DB_SCHEMA: schema,
      ...extra,
    }),
    async drop() {
      if (dropped) return;
      dropped = true;
      // On a shared CI server the role outlives the database: drop what it owns, then the role.
      if (!db.ownServer) {
        await db
          .query(
            `DROP SCHEMA IF EXISTS ${schema} CASCADE; REASSIGN OWNED BY ${role} TO CURRENT_USER; DROP OWNED BY ${role};`,
          )
          .catch(() => undefined);
      }
      await db.drop();
      if (!db.ownServer) await dropRole(role).catch(() => undefined);
    },
  };
}

async function dropRole(role: string): Promise<void> {
  const admin = process.env.CI_PG_ADMIN_URL;
  if (!admin) return;
  spawnSync("psql", [admin, "-c", `DROP ROLE IF EXISTS ${role}`], {
    env: { ...process.env },
    encoding: "utf8",
  });
}
