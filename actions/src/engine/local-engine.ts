/**
 * Starts, stops and inspects the local Camunda 7.23 engine (engine/, a Spring Boot jar) as a background
 * process. Each engine lives in its own data folder (H2 files, log, state file, generated credentials),
 * so several engines can run side by side on different ports — e.g. two nodes on one PostgreSQL.
 *
 * This module prints nothing: progress goes through `onProgress`, failures are UserErrors.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { UsageError, UserError } from "#core/util/errors.js";
import { displayPath, localDir } from "#core/util/paths.js";
import { buildEngine, checkJava } from "./build.js";
import { defaultJvmArgs } from "./cds.js";
import { type EngineCredentials, resolveEngineCredentials } from "./credentials.js";
import { fixedEngineEnvironment } from "./launch-environment.js";
import { withFileLock } from "./lock.js";
import { isPortFree } from "./ports.js";
import {
  type EngineDb,
  type EngineState,
  engineDbs,
  isAlive,
  isEngineProcess,
  processMarker,
  readState,
  removeState,
  writeState,
} from "./state.js";

export { type BuildEngineOptions, type BuildEngineResult, buildEngine, engineProjectDir } from "./build.js";
export { defaultJvmArgs, type EngineLaunch } from "./cds.js";
export { credentialsFile, type EngineCredentials } from "./credentials.js";
export { findFreePort, isPortFree } from "./ports.js";
export { type EngineDb, engineDbs } from "./state.js";

/** The data folder `camunda-gitops engine start` uses when none is given. */
export function defaultDataDir(root: string): string {
  return path.join(localDir(root), "engine");
}
export const defaultPort = 8080;
/** Loopback by default: the local engine is for this machine. Pass host "0.0.0.0" to expose it. */
export const defaultHost = "127.0.0.1";
export const defaultStartTimeoutMs = 180_000;
const defaultStopGraceMs = 30_000;

/** The variables that select PostgreSQL, named as in the production container. */
export const postgresVariables = [
  "SPRING_DATASOURCE_URL",
  "SPRING_DATASOURCE_USERNAME",
  "SPRING_DATASOURCE_PASSWORD",
] as const;

export interface StartEngineOptions {
  /** Default 8080. When an engine already runs in dataDir, omit it to accept whatever port that one uses. */
  port?: number;
  /** Default "h2" (files under dataDir/h2); "postgres" needs SPRING_DATASOURCE_URL/_USERNAME/_PASSWORD. */
  db?: EngineDb;
  /** One engine per data folder; the CLI's default is defaultDataDir(root). */
  dataDir: string;
  /** The engine's Maven project (engineProjectDir(root)), built when its jar is missing or stale. */
  engineDir: string;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Extra environment for the engine, over process.env (admin user, datasource variables). */
  env?: Record<string, string | undefined>;
  /** How long to wait for /engine-rest/engine to answer; default 180 s. */
  timeoutMs?: number;
  /** Replaces defaultJvmArgs (e.g. a larger heap or full JIT for benchmarks). */
  jvmArgs?: readonly string[];
  onProgress?: (line: string) => void;
}

export interface EngineHandle {
  pid: number;
  port: number;
  host: string;
  db: EngineDb;
  /** …/engine-rest */
  restUrl: string;
  /** …/camunda/app/ */
  webappUrl: string;
  cockpitUrl: string;
  logFile: string;
  dataDir: string;
  startedAt: string;
  credentials: { username: string; password: string };
  /** Where the credentials came from; `file` is set when they are in the data folder's credentials.json. */
  credentialsSource: EngineCredentials["source"];
  credentialsFile?: string;
  /** True when startEngine found this engine already running and returned it. */
  alreadyRunning: boolean;
}

export interface EngineStatus {
  running: boolean;
  /** The REST API answered GET /engine-rest/engine just now. */
  answering: boolean;
  dataDir: string;
  logFile: string;
  pid?: number;
  port?: number;
  host?: string;
  db?: EngineDb;
  restUrl?: string;
  webappUrl?: string;
  cockpitUrl?: string;
  startedAt?: string;
}

export interface StopEngineResult {
  /** False when no engine of this data folder was running (a stale state file is removed). */
  wasRunning: boolean;
  pid?: number;
  /** True when the engine ignored SIGTERM for the grace period and was killed. */
  forced: boolean;
}

function urls(host: string, port: number) {
  // A wildcard bind address is not something to connect to; loopback reaches it.
  const connectHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const authority = connectHost.includes(":") ? `[${connectHost}]` : connectHost;
  const base = `http://${authority}:${port}`;
  return {
    restUrl: `${base}/engine-rest`,
    webappUrl: `${base}/camunda/app/`,
    cockpitUrl: `${base}/camunda/app/cockpit/default/`,
  };
}

function logFileOf(dataDir: string): string {
  return path.join(dataDir, "engine.log");
}

function stopCommand(dataDir: string): string {
  // A checkout's default folder (.local/engine) needs no option; any other one does.
  return path.basename(dataDir) === "engine" && path.basename(path.dirname(dataDir)) === ".local"
    ? "camunda-gitops engine stop"
    : `camunda-gitops engine stop --data-dir ${displayPath(dataDir)}`;
}

/** The last lines of the engine log. */
export function logTail(logFile: string, lines = 20): string[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-lines)
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line));
}

/**
 * What explains a failed start, for error details: the log's ERROR lines (message part only), the
 * innermost "Caused by" and Spring's failure analysis; the plain tail when there is none of those
 * (e.g. the JVM refused its options). A stack trace's frames say nothing to the user.
 */
export function startupFailureLines(logFile: string): string[] {
  if (!existsSync(logFile)) return [];
  const lines = readFileSync(logFile, "utf8").split("\n");
  const picked: string[] = [];
  const add = (line: string) => {
    const text = line.length > 300 ? `${line.slice(0, 300)}…` : line;
    if (text.trim() && !picked.includes(text)) picked.push(text);
  };
  for (const line of lines) {
    const error = / ERROR \d+ --- \[[^\]]*\] \S+\s+: (.*)$/.exec(line);
    if (error?.[1]) add(error[1]);
  }
  const causes = lines.filter((line) => line.startsWith("Caused by:"));
  if (causes.length > 0) add(causes[causes.length - 1]!);
  const analysis = lines.findIndex((line) => line.includes("APPLICATION FAILED TO START"));
  if (analysis >= 0) {
    for (const line of lines.slice(analysis + 1, analysis + 12)) if (!/^\*+$/.test(line.trim())) add(line);
  }
  return picked.length > 0 ? picked.slice(0, 15) : logTail(logFile);
}

/** True when GET <restUrl>/engine answers 200 (this endpoint needs no credentials). */
export async function engineAnswers(restUrl: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`${restUrl}/engine`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function validatePort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UsageError(`The engine port must be an integer between 1 and 65535, got ${port}.`);
  }
}

/** The environment the JVM gets: the caller's, the data folder, the port and exactly one database's settings. */
function engineEnvironment(options: {
  base: Record<string, string | undefined>;
  db: EngineDb;
  dataDir: string;
  host: string;
  port: number;
  credentials: EngineCredentials;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(options.base)) if (value !== undefined) env[key] = value;
  if (options.db === "h2") {
    // A PostgreSQL URL left in the shell must not silently win over an explicit H2 choice.
    for (const name of [...postgresVariables, "SPRING_DATASOURCE_DRIVER_CLASS_NAME"]) delete env[name];
  }
  Object.assign(env, fixedEngineEnvironment);
  env.ENGINE_DATA_DIR = options.dataDir;
  env.SERVER_PORT = String(options.port);
  env.SERVER_ADDRESS = options.host;
  env.CAMUNDA_BPM_ADMIN_USER_ID = options.credentials.username;
  env.CAMUNDA_BPM_ADMIN_USER_PASSWORD = options.credentials.password;
  return env;
}

function checkPostgresSettings(env: Record<string, string | undefined>): void {
  const missing = postgresVariables.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new UsageError(
      `--db postgres needs ${missing.join(", ")} (as in production); set them to your PostgreSQL server, e.g. SPRING_DATASOURCE_URL=jdbc:postgresql://localhost:5432/camunda.`,
    );
  }
  const url = env.SPRING_DATASOURCE_URL ?? "";
  if (!url.startsWith("jdbc:postgresql:")) {
    throw new UsageError(
      `SPRING_DATASOURCE_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database) for --db postgres, got "${url.split("?")[0]}".`,
    );
  }
}

/** Keeps the previous run's log beside the new one, so a failed restart does not erase the evidence. */
function rotateLog(logFile: string): void {
  if (existsSync(logFile)) renameSync(logFile, logFile.replace(/\.log$/, ".previous.log"));
}

async function signalGroup(pid: number, signal: NodeJS.Signals): Promise<void> {
  try {
    // The engine was spawned detached: it leads its own process group, so -pid reaches all of it.
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    try {
      process.kill(pid, signal);
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code !== "ESRCH") throw inner;
    }
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(200);
  }
  return !isAlive(pid);
}

/** SIGTERM (Spring closes the engine and the database), then SIGKILL after the grace period. */
async function terminate(pid: number, graceMs: number): Promise<{ forced: boolean }> {
  await signalGroup(pid, "SIGTERM");
  if (await waitForExit(pid, graceMs)) return { forced: false };
  await signalGroup(pid, "SIGKILL");
  if (await waitForExit(pid, 10_000)) return { forced: true };
  throw new UserError(
    `The engine process ${pid} did not exit even after SIGKILL; check it with \`ps -p ${pid}\`.`,
  );
}

function handleFromState(
  state: EngineState,
  dataDir: string,
  credentials: EngineCredentials,
  alreadyRunning: boolean,
): EngineHandle {
  return {
    pid: state.pid,
    port: state.port,
    host: state.host,
    db: state.db,
    ...urls(state.host, state.port),
    logFile: state.logFile,
    dataDir,
    startedAt: state.startedAt,
    credentials: { username: credentials.username, password: credentials.password },
    credentialsSource: credentials.source,
    ...(credentials.file ? { credentialsFile: credentials.file } : {}),
    alreadyRunning,
  };
}

/** Polls GET /engine-rest/engine until it answers, the process exits, or the time is up. */
async function waitUntilAnswering(
  pid: number,
  restUrl: string,
  timeoutMs: number,
  exited: () => boolean = () => false,
): Promise<"up" | "exited" | "timeout"> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited() || !isAlive(pid)) return "exited";
    if (await engineAnswers(restUrl)) return "up";
    await sleep(500);
  }
  return "timeout";
}

/** One request with the admin credentials: proves the user exists with this password. */
async function credentialsAccepted(restUrl: string, credentials: EngineCredentials): Promise<number> {
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  const response = await fetch(`${restUrl}/process-definition/count`, {
    headers: { authorization: `Basic ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return response.status;
}

function credentialsMismatch(credentials: EngineCredentials, db: EngineDb, dataDir: string): UserError {
  const where =
    db === "h2" ? `the H2 database in ${displayPath(path.join(dataDir, "h2"))}` : "the PostgreSQL database";
  return new UserError(
    `The engine started, but ${where} already has an admin user "${credentials.username}" with another password than the one from ${credentials.file ? displayPath(credentials.file) : "CAMUNDA_BPM_ADMIN_USER_PASSWORD"}; set CAMUNDA_BPM_ADMIN_USER_ID/CAMUNDA_BPM_ADMIN_USER_PASSWORD to that user's credentials${db === "h2" ? ", or delete the H2 folder to start afresh" : ""}.`,
  );
}

/**
 * Starts the engine of dataDir in the background and resolves once GET /engine-rest/engine answers and
 * the admin credentials are accepted. When that engine is already running, returns it (idempotent).
 */
export async function startEngine(options: StartEngineOptions): Promise<EngineHandle> {
  const dataDir = path.resolve(options.dataDir);
  const db = options.db ?? "h2";
  if (!engineDbs.includes(db))
    throw new UsageError(`--db must be one of ${engineDbs.join(", ")}, got "${db}".`);
  const host = options.host ?? defaultHost;
  const port = options.port ?? defaultPort;
  validatePort(port);
  const timeoutMs = options.timeoutMs ?? defaultStartTimeoutMs;
  const progress = options.onProgress ?? (() => {});
  const baseEnv: Record<string, string | undefined> = { ...process.env, ...options.env };

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return withFileLock(
    path.join(dataDir, ".start.lock"),
    async () => {
      const existing = readState(dataDir);
      if (existing && isEngineProcess(existing.pid, dataDir)) {
        return reuseRunningEngine(existing, { ...options, dataDir, baseEnv, timeoutMs, progress });
      }
      if (existing) removeState(dataDir);

      if (db === "postgres") checkPostgresSettings(baseEnv);
      if (!(await isPortFree(port, host))) {
        throw new UserError(
          `Port ${port} on ${host} is already in use; stop whatever listens there or choose another port with --port.`,
        );
      }
      const { launch } = await buildEngine({ engineDir: options.engineDir, onProgress: progress });
      const java = checkJava(process.env).command;
      const credentials = resolveEngineCredentials({ dataDir, env: baseEnv, generate: true })!;
      if (credentials.source === "generated")
        progress(`generated an admin password in ${displayPath(credentials.file!)}`);

      const logFile = logFileOf(dataDir);
      rotateLog(logFile);
      const logFd = openSync(logFile, "w", 0o600);
      progress(`starting the engine on port ${port} (${db === "h2" ? "H2" : "PostgreSQL"})`);
      let child: ChildProcess;
      try {
        const args = [
          ...(options.jvmArgs ?? defaultJvmArgs),
          ...launch.jvmArgs,
          processMarker(dataDir),
          ...launch.programArgs,
        ];
        child = spawn(java, args, {
          cwd: dataDir,
          env: engineEnvironment({ base: baseEnv, db, dataDir, host, port, credentials }),
          // Detached: own process group, survives the CLI, and can be stopped as a group.
          detached: true,
          stdio: ["ignore", logFd, logFd],
        });
      } finally {
        closeSync(logFd);
      }
      const exit: { value?: { code: number | null; signal: NodeJS.Signals | null } } = {};
      const spawnFailure = new Promise<Error>((resolve) => child.once("error", resolve));
      child.once("exit", (code, signal) => {
        exit.value = { code, signal };
      });
      child.unref();
      const pid = child.pid;
      if (pid === undefined) {
        const error = await spawnFailure;
        throw new UserError(
          `The engine could not be started: ${error.message}; check that \`${java}\` runs.`,
        );
      }

      const state: EngineState = { pid, port, host, db, startedAt: new Date().toISOString(), logFile };
      writeState(dataDir, state);
      const { restUrl } = urls(host, port);
      progress(`waiting for ${restUrl}/engine`);
      const outcome = await waitUntilAnswering(pid, restUrl, timeoutMs, () => exit.value !== undefined);

      if (outcome !== "up") {
        if (outcome === "timeout") await terminate(pid, 10_000).catch(() => undefined);
        removeState(dataDir);
        const how =
          outcome === "exited"
            ? `exited during startup${exit.value?.code != null ? ` with exit code ${exit.value.code}` : ""}`
            : `did not answer on ${restUrl}/engine within ${Math.round(timeoutMs / 1000)} s and was stopped`;
        throw new UserError(`The local engine ${how}; see its log, ${displayPath(logFile)}.`, {
          details: startupFailureLines(logFile),
        });
      }

      const status = await credentialsAccepted(restUrl, credentials).catch(() => 0);
      if (status === 401) {
        await terminate(pid, defaultStopGraceMs).catch(() => undefined);
        removeState(dataDir);
        throw credentialsMismatch(credentials, db, dataDir);
      }
      return handleFromState(state, dataDir, credentials, false);
    },
    { onWait: () => progress("waiting for another start of this engine to finish") },
  );
}

async function reuseRunningEngine(
  state: EngineState,
  options: StartEngineOptions & {
    dataDir: string;
    baseEnv: Record<string, string | undefined>;
    timeoutMs: number;
    progress: (line: string) => void;
  },
): Promise<EngineHandle> {
  const { dataDir } = options;
  const mismatch =
    options.port !== undefined && options.port !== state.port
      ? `port ${state.port}`
      : options.db !== undefined && options.db !== state.db
        ? `the ${state.db} database`
        : undefined;
  if (mismatch) {
    throw new UserError(
      `The engine of ${displayPath(dataDir)} is already running (pid ${state.pid}) with ${mismatch}; stop it first with \`${stopCommand(dataDir)}\` or use another data folder.`,
    );
  }
  const { restUrl } = urls(state.host, state.port);
  options.progress(`the engine is already running (pid ${state.pid}); waiting for ${restUrl}/engine`);
  const outcome = await waitUntilAnswering(state.pid, restUrl, options.timeoutMs);
  if (outcome !== "up") {
    throw new UserError(
      `The engine of ${displayPath(dataDir)} (pid ${state.pid}) is running but does not answer on ${restUrl}/engine; see ${displayPath(state.logFile)}, or restart it with \`${stopCommand(dataDir)}\` and \`engine start\`.`,
      { details: logTail(state.logFile) },
    );
  }
  const credentials = resolveEngineCredentials({ dataDir, env: options.baseEnv, generate: false });
  if (!credentials) {
    throw new UserError(
      `The engine of ${displayPath(dataDir)} is running (pid ${state.pid}), but its admin credentials are unknown here; set CAMUNDA_BPM_ADMIN_USER_ID and CAMUNDA_BPM_ADMIN_USER_PASSWORD as when it was started.`,
    );
  }
  const status = await credentialsAccepted(restUrl, credentials).catch(() => 0);
  if (status === 401) throw credentialsMismatch(credentials, state.db, dataDir);
  return handleFromState(state, dataDir, credentials, true);
}

/** Stops exactly the process named in dataDir's state file, if it still is that engine. */
export async function stopEngine(options: { dataDir: string; graceMs?: number }): Promise<StopEngineResult> {
  const dataDir = path.resolve(options.dataDir);
  const state = readState(dataDir);
  if (!state) return { wasRunning: false, forced: false };
  if (!isEngineProcess(state.pid, dataDir)) {
    // The pid may belong to someone else by now: never signal it, just forget it.
    removeState(dataDir);
    return { wasRunning: false, pid: state.pid, forced: false };
  }
  const { forced } = await terminate(state.pid, options.graceMs ?? defaultStopGraceMs);
  removeState(dataDir);
  return { wasRunning: true, pid: state.pid, forced };
}

/** Whether the engine of dataDir runs, and whether its REST API answers. */
export async function engineStatus(options: { dataDir: string }): Promise<EngineStatus> {
  const dataDir = path.resolve(options.dataDir);
  const logFile = logFileOf(dataDir);
  const state = readState(dataDir);
  if (!state || !isEngineProcess(state.pid, dataDir))
    return { running: false, answering: false, dataDir, logFile };
  const links = urls(state.host, state.port);
  return {
    running: true,
    answering: await engineAnswers(links.restUrl),
    dataDir,
    logFile: state.logFile,
    pid: state.pid,
    port: state.port,
    host: state.host,
    db: state.db,
    ...links,
    startedAt: state.startedAt,
  };
}
