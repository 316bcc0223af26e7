/**
 * The background processes `up` starts beside the engine — the workers (as their own user when the
 * local environment declares one, on the shared store when the engine runs on PostgreSQL) and the
 * metrics exporter — and the wait until each reports ready.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import type { EngineHandle } from "#core/engine/local-engine.js";
import type { IdentitySetup } from "#core/identities/index.js";
import { UserError } from "#core/util/errors.js";
import { displayPath, localDir } from "#core/util/paths.js";
import { waitUntil } from "#core/util/wait.js";
import { isAlive, platformFiles } from "./state.js";

export const workersReadyTimeoutMs = 60_000;
/**
 * The workers log in as their own user when environments/local.yaml declares one (id "workers"), with
 * only the grants that file gives it, as in production; otherwise as the admin.
 */
export const localWorkersUserId = "workers";

export function localWorkersLogin(
  identities: IdentitySetup | null,
): { username: string; password: string } | null {
  const user = identities?.config.users[localWorkersUserId];
  if (!identities || !user) return null;
  const found = identities.passwords.lookup(localWorkersUserId, user.password);
  return "password" in found ? { username: localWorkersUserId, password: found.password } : null;
}

export function startWorkersProcess(
  root: string,
  engine: EngineHandle,
  port: number,
  login: { username: string; password: string },
): number {
  const files = platformFiles(root);
  mkdirSync(files.dir, { recursive: true });
  const log = openSync(files.workersLogFile, "a");
  try {
    const child = spawn(process.execPath, [path.join(root, "bin", "camunda-gitops.mjs"), "workers"], {
      cwd: root,
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        ...process.env,
        CAMUNDA_URL: engine.restUrl,
        CAMUNDA_USERNAME: login.username,
        CAMUNDA_PASSWORD: login.password,
        WORKER_HTTP_HOST: "127.0.0.1",
        WORKER_HTTP_PORT: String(port),
        WORKER_DATA_DIR: path.join(localDir(root), "workers"),
        ...workersStoreEnv(engine.db, process.env),
      },
    });
    child.unref();
    if (!child.pid)
      throw new UserError("could not start the workers process; see .local/platform/workers.log.");
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * With `--db postgres` the workers keep their idempotency records in that database too (schema
 * camunda_workers, created by their migration), as on the hosts in AWS; locally they connect with the
 * engine's credentials. WORKER_STORE / WORKER_DB_* set by the caller win.
 */
export function workersStoreEnv(db: string | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  if (db !== "postgres" || env.WORKER_STORE || !env.SPRING_DATASOURCE_URL) return {};
  let url: URL;
  try {
    url = new URL(env.SPRING_DATASOURCE_URL.replace(/^jdbc:/, ""));
  } catch {
    return {};
  }
  return {
    WORKER_STORE: "postgres",
    WORKER_DB_HOST: url.hostname,
    WORKER_DB_PORT: url.port || "5432",
    WORKER_DB_NAME: decodeURIComponent(url.pathname.replace(/^\//, "")),
    WORKER_DB_USER: env.SPRING_DATASOURCE_USERNAME ?? "",
    WORKER_DB_PASSWORD: env.SPRING_DATASOURCE_PASSWORD ?? "",
  };
}

/**
 * `camunda-gitops metrics` in the background, polling the local engine. It reads the engine's state
 * the same way an operator's `metrics --env local` does; only the port and the credentials are given.
 */
export function startExporterProcess(root: string, engine: EngineHandle, port: number): number {
  const files = platformFiles(root);
  mkdirSync(files.dir, { recursive: true });
  const log = openSync(files.exporterLogFile, "a");
  try {
    const child = spawn(
      process.execPath,
      [path.join(root, "bin", "camunda-gitops.mjs"), "metrics", "--port", String(port)],
      {
        cwd: root,
        detached: true,
        stdio: ["ignore", log, log],
        env: {
          ...process.env,
          CAMUNDA_URL: engine.restUrl,
          CAMUNDA_USERNAME: engine.credentials.username,
          CAMUNDA_PASSWORD: engine.credentials.password,
        },
      },
    );
    child.unref();
    if (!child.pid)
      throw new UserError("could not start the metrics exporter; see .local/platform/metrics.log.");
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export async function waitForWorkers(port: number, pid: number, logFile: string): Promise<void> {
  return waitForReady(port, pid, logFile, "the workers");
}

export async function waitForReady(port: number, pid: number, logFile: string, what: string): Promise<void> {
  const ready = await waitUntil(
    async () => {
      if (!isAlive(pid)) {
        throw new UserError(
          `${what} exited during startup; see ${displayPath(logFile)} for the reason, fix it and run \`npm start\` again.`,
        );
      }
      try {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`, {
          signal: AbortSignal.timeout(2_000),
        });
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false; // not listening yet
      }
    },
    { timeoutMs: workersReadyTimeoutMs, intervalMs: 250 },
  );
  if (ready) return;
  throw new UserError(
    `${what} did not report ready on http://127.0.0.1:${port}/readyz within ${workersReadyTimeoutMs / 1000} s; see ${displayPath(logFile)}.`,
  );
}
