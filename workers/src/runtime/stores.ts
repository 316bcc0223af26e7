/**
 * The side-effect stores the handlers use, chosen by the configuration: the file store for one local
 * process, or the shared PostgreSQL schema for workers on several hosts. Opening the PostgreSQL store
 * runs the schema migrations (once across all hosts, see migrations.ts); while the database cannot be
 * reached it keeps trying with backoff, and a refused password or a missing right stops the start with
 * one sentence. Afterwards it tracks whether the database answers, for /readyz.
 */
import path from "node:path";
import type pg from "pg";
import { Backoff } from "#core/util/backoff.js";
import { UserError } from "#core/util/errors.js";
import { sleep } from "#core/util/sleep.js";
import { FileIdempotencyStore } from "#workers/ports/file-idempotency-store.js";
import { type Notifier, OutboxNotifier } from "#workers/ports/notifier.js";
import { IdempotentPolicyStore, type PolicyStore } from "#workers/ports/policy-store.js";
import { createPool, isRefused, isUnavailable, type Queryable } from "#workers/ports/postgres/connection.js";
import { migrate } from "#workers/ports/postgres/migrations.js";
import { PostgresOutboxNotifier } from "#workers/ports/postgres/notifier.js";
import { PostgresPolicyStore } from "#workers/ports/postgres/policy-store.js";
import type { PostgresSettings } from "#workers/ports/postgres/settings.js";
import { describeError } from "./failure-report.js";
import type { Logger } from "./logger.js";

export interface Stores {
  readonly kind: "file" | "postgres";
  readonly policies: PolicyStore;
  readonly notifier: Notifier;
  /** Why the store is not usable now (the database did not answer); undefined when it is. */
  notReadyReason(): string | undefined;
  close(): Promise<void>;
}

export interface StoreOptions {
  store: { kind: "file" } | { kind: "postgres"; postgres: PostgresSettings };
  dataDir: string;
  workerId: string;
  logger: Logger;
  /** Aborted when the worker is told to stop while the store is still opening. */
  signal?: AbortSignal;
}

export async function openStores(options: StoreOptions): Promise<Stores> {
  const { logger } = options;
  if (options.store.kind === "file") {
    const store = new FileIdempotencyStore(path.join(options.dataDir, "store"));
    return {
      kind: "file",
      policies: new IdempotentPolicyStore(store),
      notifier: new OutboxNotifier(store, (message) =>
        logger.info(
          { kind: message.kind, recipient: message.to.type },
          "notification written to the local outbox",
        ),
      ),
      notReadyReason: () => undefined,
      close: async () => undefined,
    };
  }
  const settings = options.store.postgres;
  const where = `PostgreSQL ${settings.host}:${settings.port}/${settings.database} as ${settings.user}`;
  const pool = createPool(settings, options.workerId);
  // An idle connection the server drops (failover, restart) must not crash the process.
  pool.on("error", (error) => logger.warn({ err: error.message }, "an idle database connection failed"));
  let lastFailure: string | undefined;
  const tracked = trackAvailability(pool, (failure) => {
    if (failure && !lastFailure) logger.warn({ err: failure }, "the workers' database stopped answering");
    if (!failure && lastFailure) logger.info("the workers' database answers again");
    lastFailure = failure;
  });
  try {
    const report = await migrateWhenReachable(pool, settings, options, where);
    logger.info(
      {
        database: `${settings.host}:${settings.port}/${settings.database}`,
        schema: settings.schema,
        schemaVersion: report.version,
        applied: report.applied,
        waitedMs: report.waitedMs,
      },
      report.applied.length > 0 ? "database schema migrated" : "database schema up to date",
    );
    await warnIfPrivileged(pool, logger);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    kind: "postgres",
    policies: new PostgresPolicyStore(tracked, settings.schema, options.workerId),
    notifier: new PostgresOutboxNotifier(tracked, settings.schema, options.workerId),
    notReadyReason: () =>
      lastFailure ? `the workers' database does not answer (${lastFailure})` : undefined,
    close: () => pool.end(),
  };
}

async function migrateWhenReachable(
  pool: pg.Pool,
  settings: PostgresSettings,
  options: StoreOptions,
  where: string,
) {
  const backoff = new Backoff(500, 15_000);
  for (;;) {
    try {
      return await migrate(pool, {
        schema: settings.schema,
        appliedBy: options.workerId,
        log: (message, fields) => options.logger.info(fields ?? {}, message),
      });
    } catch (error) {
      if (error instanceof UserError) throw error;
      if (isRefused(error)) {
        throw new UserError(
          `${where} refused the workers (${(error as Error).message}); check WORKER_DB_USER, WORKER_DB_PASSWORD and WORKER_DB_NAME, and that the user was provisioned (workers/README.md).`,
          { exitCode: 1, cause: error },
        );
      }
      if (!isUnavailable(error)) {
        throw new UserError(`preparing the workers' schema on ${where} failed: ${(error as Error).message}`, {
          exitCode: 1,
          cause: error,
        });
      }
      const delay = backoff.next();
      if (backoff.consecutiveFailures === 1 || backoff.consecutiveFailures % 10 === 0) {
        options.logger.warn(
          { err: describeError(error).message, retryInMs: delay, attempts: backoff.consecutiveFailures },
          `${where} cannot be reached yet; the workers keep trying`,
        );
      }
      if (options.signal?.aborted) throw new UserError(`stopped before ${where} could be reached.`);
      await sleep(delay, options.signal);
    }
  }
}

/** A superuser or a role that may create roles defeats the point of a role of its own: say so. */
async function warnIfPrivileged(pool: pg.Pool, logger: Logger): Promise<void> {
  const { rows } = await pool.query<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
    "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user",
  );
  const role = rows[0];
  if (role && (role.rolsuper || role.rolcreaterole || role.rolcreatedb)) {
    logger.warn(
      "the workers connect to PostgreSQL with a privileged role (superuser, CREATEROLE or CREATEDB); give them a role of their own that owns only their schema (workers/README.md)",
    );
  }
}

/** The pool's query, noting whether the database answered (connection failures only, not SQL errors). */
function trackAvailability(pool: pg.Pool, onChange: (failure: string | undefined) => void): Queryable {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  const tracked = async (...args: unknown[]) => {
    try {
      const result = await query(...args);
      onChange(undefined);
      return result;
    } catch (error) {
      if (isUnavailable(error)) onChange((error as Error).message);
      throw error;
    }
  };
  return { query: tracked as pg.Pool["query"] };
}
