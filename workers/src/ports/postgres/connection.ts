/**
 * The connection to the workers' own PostgreSQL schema (pg's Pool), shared by every worker host: the
 * same database server as the engine in AWS (Aurora), but its own schema and its own login role with
 * rights on nothing else. Settings come from the validated worker configuration; pg's PG* environment
 * defaults are never consulted, so a stray PGHOST cannot redirect the store.
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import pg from "pg";
import { UserError } from "#core/util/errors.js";
import { type PostgresSettings, SCHEMA_NAME } from "./settings.js";

export type { PostgresSettings } from "./settings.js";

function ssl(settings: PostgresSettings): boolean | ConnectionOptions {
  if (settings.sslMode === "disable") return false;
  // "require" encrypts without checking the server's certificate, as the engine's JDBC sslmode=require
  // does; "verify-full" checks the certificate chain and the host name.
  if (settings.sslMode === "require") return { rejectUnauthorized: false };
  const options: ConnectionOptions = { rejectUnauthorized: true };
  if (settings.sslCaFile) {
    try {
      options.ca = readFileSync(settings.sslCaFile, "utf8");
    } catch (error) {
      throw new UserError(
        `WORKER_DB_SSL_CA_FILE ${settings.sslCaFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); mount the CA bundle there or unset it.`,
        { exitCode: 2 },
      );
    }
  }
  return options;
}

export function createPool(settings: PostgresSettings, applicationName: string): pg.Pool {
  return new pg.Pool({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: settings.password,
    ssl: ssl(settings),
    max: settings.poolSize,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // Shows in pg_stat_activity: which worker holds a connection or waits for a lock.
    application_name: applicationName.slice(0, 63),
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: settings.statementTimeoutMs,
  });
}

/** What the stores need of a pool: its query (the composition root wraps it to watch availability). */
export type Queryable = Pick<pg.Pool, "query">;

/** A PostgreSQL error as pg reports it (SQLSTATE code, constraint name). */
export interface DatabaseError extends Error {
  code?: string;
  constraint?: string;
}

/** SQLSTATE 23505: a unique constraint refused the row. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as DatabaseError;
  return e?.code === "23505" && (constraint === undefined || e.constraint === constraint);
}

/**
 * The server could not be reached or dropped the connection (refused, reset, timeout, shutting down,
 * too many connections): worth trying again later, unlike a refused password or a missing right.
 */
export function isUnavailable(error: unknown): boolean {
  const e = error as DatabaseError & { errno?: number };
  if (!e || typeof e !== "object") return false;
  if (typeof e.code === "string") {
    // Class 08 connection exceptions, 57P0x shutdown/cannot connect now, 53300 too many connections.
    if (/^08|^57P0[1-3]$|^53300$/.test(e.code)) return true;
    if (
      ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"].includes(e.code)
    )
      return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated/i.test(e.message ?? "");
}

/** Wrong password, unknown role or database, or a right the role lacks: a configuration problem. */
export function isRefused(error: unknown): boolean {
  const code = (error as DatabaseError)?.code;
  return code === "28P01" || code === "28000" || code === "3D000" || code === "42501";
}

/** Quotes a validated identifier for SQL text (schema names are checked against SCHEMA_NAME first). */
export function identifier(name: string): string {
  if (!SCHEMA_NAME.test(name)) throw new Error(`"${name}" is not a valid schema name`);
  return `"${name}"`;
}
