/**
 * Worker configuration, read once from the environment and validated. Every bad value is reported
 * at start with the variable's name and what is expected; credentials are never echoed.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "#core/util/errors.js";
import { type PostgresSettings, SCHEMA_NAME } from "#workers/ports/postgres/settings.js";
import { topicNames } from "#workers/registry.js";

/** The engine refuses long polls above 30 minutes. */
export const MAX_LONG_POLL_MS = 1_800_000;

function integer(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: "custom", message: `${name} must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });
}

/** Host name, pid and 6 random hex digits: unique per process, and says where a lock came from. */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => v || undefined);

/** An http(s) URL, or nothing when unset or empty (compose passes unset variables as empty). */
function optionalUrl(name: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined;
      if (!/^https?:\/\/[^/\s]+/.test(value) || !URL.canParse(value)) {
        ctx.addIssue({
          code: "custom",
          message: `${name} must be an http(s) URL such as http://collector:4318`,
        });
        return z.NEVER;
      }
      return value.replace(/\/+$/, "");
    });
}

const environmentSchema = z
  .object({
    CAMUNDA_URL: z
      .url({
        protocol: /^https?$/,
        message: "CAMUNDA_URL must be an http(s) URL such as http://localhost:8080/engine-rest",
      })
      .transform((url) => url.replace(/\/+$/, "")),
    CAMUNDA_USERNAME: z.string().min(1, "CAMUNDA_USERNAME must not be empty"),
    CAMUNDA_PASSWORD: z.string().min(1, "CAMUNDA_PASSWORD must not be empty"),
    WORKER_ID: z
      .string()
      .trim()
      .max(255, "WORKER_ID must be at most 255 characters")
      .optional()
      .transform((value) => value || defaultWorkerId()),
    WORKER_TOPICS: z
      .string()
      .optional()
      .transform((value, ctx) => {
        const topics = (value ?? "")
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean);
        const unknown = topics.filter((t) => !topicNames.includes(t));
        if (unknown.length > 0) {
          ctx.addIssue({
            code: "custom",
            message: `WORKER_TOPICS names unknown topic(s) ${unknown.join(", ")}; known: ${topicNames.join(", ")}`,
          });
          return z.NEVER;
        }
        return topics.length > 0 ? topics : [...topicNames];
      }),
    WORKER_TENANT_ID: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || undefined),
    WORKER_PARALLELISM: integer("WORKER_PARALLELISM", 32, 1, 1000),
    WORKER_MAX_TASKS: integer("WORKER_MAX_TASKS", 64, 1, 1000),
    WORKER_PREFETCH: integer("WORKER_PREFETCH", 64, 0, 1000),
    WORKER_LOCK_DURATION_MS: integer("WORKER_LOCK_DURATION_MS", 0, 0, 86_400_000),
    WORKER_TASK_TIMEOUT_MS: integer("WORKER_TASK_TIMEOUT_MS", 0, 0, 86_400_000),
    WORKER_TASK_TIMEOUT_MAX_MS: integer("WORKER_TASK_TIMEOUT_MAX_MS", 300_000, 100, 86_400_000),
    WORKER_TASK_CANCEL_GRACE_MS: integer("WORKER_TASK_CANCEL_GRACE_MS", 1_000, 0, 600_000),
    WORKER_LONG_POLL_MS: integer("WORKER_LONG_POLL_MS", 20_000, 0, MAX_LONG_POLL_MS),
    WORKER_HTTP_TIMEOUT_MS: integer("WORKER_HTTP_TIMEOUT_MS", 10_000, 100, 600_000),
    WORKER_RETRIES: integer("WORKER_RETRIES", 3, 0, 100),
    WORKER_RETRY_BACKOFF_MS: integer("WORKER_RETRY_BACKOFF_MS", 10_000, 0, 86_400_000),
    WORKER_RETRY_BACKOFF_MAX_MS: integer("WORKER_RETRY_BACKOFF_MAX_MS", 600_000, 0, 86_400_000),
    WORKER_BACKOFF_INITIAL_MS: integer("WORKER_BACKOFF_INITIAL_MS", 500, 1, 600_000),
    WORKER_BACKOFF_MAX_MS: integer("WORKER_BACKOFF_MAX_MS", 30_000, 1, 3_600_000),
    WORKER_SHUTDOWN_GRACE_MS: integer("WORKER_SHUTDOWN_GRACE_MS", 20_000, 0, 3_600_000),
    WORKER_HTTP_HOST: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || "0.0.0.0"),
    WORKER_HTTP_PORT: integer("WORKER_HTTP_PORT", 9464, 0, 65_535),
    WORKER_DATA_DIR: z
      .string()
      .trim()
      .optional()
      .transform((v) => path.resolve(v || path.join(".local", "workers"))),
    WORKER_STORE: z
      .enum(["file", "postgres"], {
        message: "WORKER_STORE must be file (one local process) or postgres (shared by every worker host)",
      })
      .optional()
      .default("file"),
    WORKER_CLUSTER: z
      .enum(["true", "false"], { message: "WORKER_CLUSTER must be true or false" })
      .optional()
      .default("false"),
    WORKER_DB_HOST: optionalText,
    WORKER_DB_PORT: integer("WORKER_DB_PORT", 5432, 1, 65_535),
    WORKER_DB_NAME: optionalText,
    WORKER_DB_USER: optionalText,
    WORKER_DB_PASSWORD: z
      .string()
      .optional()
      .transform((v) => v || undefined),
    WORKER_DB_SCHEMA: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || "camunda_workers")
      .refine((v) => SCHEMA_NAME.test(v), {
        message: "WORKER_DB_SCHEMA must be a plain lower-case name (letters, digits, underscores)",
      }),
    WORKER_DB_SSLMODE: z
      .enum(["disable", "require", "verify-full"], {
        message: "WORKER_DB_SSLMODE must be disable, require or verify-full",
      })
      .optional(),
    WORKER_DB_SSL_CA_FILE: optionalText,
    WORKER_DB_POOL_SIZE: integer("WORKER_DB_POOL_SIZE", 10, 1, 200),
    WORKER_DB_STATEMENT_TIMEOUT_MS: integer("WORKER_DB_STATEMENT_TIMEOUT_MS", 15_000, 100, 600_000),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl("OTEL_EXPORTER_OTLP_ENDPOINT"),
    OTEL_SERVICE_NAME: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || "camunda-workers"),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        message: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
      })
      .optional()
      .default("info"),
  })
  .check((ctx) => {
    const value = ctx.value;
    if (value.WORKER_BACKOFF_INITIAL_MS > value.WORKER_BACKOFF_MAX_MS) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: "WORKER_BACKOFF_INITIAL_MS must not exceed WORKER_BACKOFF_MAX_MS",
      });
    }
    if (value.WORKER_STORE === "postgres") {
      const missing = (
        ["WORKER_DB_HOST", "WORKER_DB_NAME", "WORKER_DB_USER", "WORKER_DB_PASSWORD"] as const
      ).filter((name) => !value[name]);
      if (missing.length > 0) {
        ctx.issues.push({
          code: "custom",
          input: value,
          message: `WORKER_STORE=postgres needs ${missing.join(", ")}`,
        });
      }
    }
    if (value.WORKER_CLUSTER === "true" && value.WORKER_STORE === "file") {
      ctx.issues.push({
        code: "custom",
        input: value,
        message:
          "WORKER_CLUSTER=true but the idempotency store is the local file store (WORKER_STORE=file), so every host would issue its own policy for the same application; set WORKER_STORE=postgres and WORKER_DB_*",
      });
    }
  });

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.") || host.startsWith("/");
}

export interface WorkerConfig {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  readonly workerId: string;
  readonly topics: readonly string[];
  readonly tenantId: string | undefined;
  /** Handlers running at once; fetches ask for at most the free part of it. */
  readonly parallelism: number;
  /** Upper bound of one fetch (the engine returns at most this many tasks). */
  readonly maxTasks: number;
  /**
   * Tasks fetched ahead while every slot is busy, started as slots free up (0 = off). Only while
   * handlers are quick compared with the lock duration (see Worker.prefetchAllowance).
   */
  readonly prefetch: number;
  /** 0 = each topic's own lock duration from the registry. */
  readonly lockDurationMs: number;
  /** 0 = each topic's own timeout (default its lock duration); always capped by taskTimeoutMaxMs. */
  readonly taskTimeoutMs: number;
  readonly taskTimeoutMaxMs: number;
  /** After a timeout, how long a handler has to honour its aborted signal before it counts as stuck. */
  readonly taskCancelGraceMs: number;
  readonly longPollMs: number;
  /** Timeout of every request except the long poll, which gets longPollMs + this. */
  readonly httpTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly shutdownGraceMs: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly dataDir: string;
  /** True when other hosts run workers against the same engine: a shared store is required. */
  readonly cluster: boolean;
  /** Where idempotency records live: the file store (one local process) or the shared PostgreSQL schema. */
  readonly store:
    | { readonly kind: "file" }
    | { readonly kind: "postgres"; readonly postgres: PostgresSettings };
  readonly logLevel: string;
  /** OpenTelemetry traces: exported only when an OTLP endpoint is set (the full /v1/traces URL). */
  readonly tracing: { readonly endpoint: string | undefined; readonly serviceName: string };
}

/**
 * Reads the worker configuration. `credentials` lets the CLI pass credentials it resolved itself
 * (the local engine's generated file) when CAMUNDA_USERNAME/PASSWORD are unset.
 */
export function loadWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
  credentials?: { username: string; password: string },
): WorkerConfig {
  const input = { ...env };
  if (credentials && !input.CAMUNDA_USERNAME && !input.CAMUNDA_PASSWORD) {
    input.CAMUNDA_USERNAME = credentials.username;
    input.CAMUNDA_PASSWORD = credentials.password;
  }
  const parsed = environmentSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "");
      // Required variables that are simply absent get one uniform sentence.
      if (name && input[name] === undefined) return `${name} is not set`;
      return issue.message;
    });
    throw new UsageError(
      `invalid worker configuration: ${problems.join("; ")}; set the environment variable(s) and start again (see workers/README.md).`,
    );
  }
  const e = parsed.data;
  return {
    baseUrl: e.CAMUNDA_URL,
    username: e.CAMUNDA_USERNAME,
    password: e.CAMUNDA_PASSWORD,
    workerId: e.WORKER_ID,
    topics: e.WORKER_TOPICS,
    tenantId: e.WORKER_TENANT_ID,
    parallelism: e.WORKER_PARALLELISM,
    maxTasks: e.WORKER_MAX_TASKS,
    prefetch: e.WORKER_PREFETCH,
    lockDurationMs: e.WORKER_LOCK_DURATION_MS,
    taskTimeoutMs: e.WORKER_TASK_TIMEOUT_MS,
    taskTimeoutMaxMs: e.WORKER_TASK_TIMEOUT_MAX_MS,
    taskCancelGraceMs: e.WORKER_TASK_CANCEL_GRACE_MS,
    longPollMs: e.WORKER_LONG_POLL_MS,
    httpTimeoutMs: e.WORKER_HTTP_TIMEOUT_MS,
    retries: e.WORKER_RETRIES,
    retryBackoffMs: e.WORKER_RETRY_BACKOFF_MS,
    retryBackoffMaxMs: e.WORKER_RETRY_BACKOFF_MAX_MS,
    backoffInitialMs: e.WORKER_BACKOFF_INITIAL_MS,
    backoffMaxMs: e.WORKER_BACKOFF_MAX_MS,
    shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
    httpHost: e.WORKER_HTTP_HOST,
    httpPort: e.WORKER_HTTP_PORT,
    dataDir: e.WORKER_DATA_DIR,
    cluster: e.WORKER_CLUSTER === "true",
    store:
      e.WORKER_STORE === "postgres"
        ? {
            kind: "postgres",
            postgres: {
              host: e.WORKER_DB_HOST as string,
              port: e.WORKER_DB_PORT,
              database: e.WORKER_DB_NAME as string,
              user: e.WORKER_DB_USER as string,
              password: e.WORKER_DB_PASSWORD as string,
              schema: e.WORKER_DB_SCHEMA,
              // Encrypted unless the database is on this machine; verify-full needs the CA bundle.
              sslMode:
                e.WORKER_DB_SSLMODE ?? (isLoopback(e.WORKER_DB_HOST as string) ? "disable" : "require"),
              sslCaFile: e.WORKER_DB_SSL_CA_FILE,
              poolSize: e.WORKER_DB_POOL_SIZE,
              statementTimeoutMs: e.WORKER_DB_STATEMENT_TIMEOUT_MS,
            },
          }
        : { kind: "file" },
    logLevel: e.LOG_LEVEL,
    tracing: {
      // As the OpenTelemetry SDKs read them: the traces endpoint as is, the general one plus /v1/traces.
      endpoint:
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` : undefined),
      serviceName: e.OTEL_SERVICE_NAME,
    },
  };
}
