/**
 * Starts, stops and inspects the local Camunda 7.23 engine (engine/, a Spring Boot jar) as a background
 * process. Each engine lives in its own data folder (H2 files, log, state file, generated credentials),
 * so several engines can run side by side on different ports — e.g. two nodes on one PostgreSQL.
 * The parts: settings.ts (options, URLs, the JVM's environment), process.ts (the JVM process), log.ts
 * (its log), health.ts (is it answering, are the credentials right), state.ts (which process it is).
 *
 * This module prints nothing: progress goes through `onProgress`, failures are UserErrors.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { UsageError, UserError } from "#core/util/errors.js";
import { displayPath, localDir } from "#core/util/paths.js";
import { buildEngine, checkJava } from "./build.js";
import { defaultJvmArgs } from "./cds.js";
import { type EngineCredentials, resolveEngineCredentials } from "./credentials.js";
import { checkCredentials, engineAnswers, waitUntilAnswering } from "./health.js";
import { jmxAgentOption, jmxExporterPort } from "./jvm-metrics.js";
import { withFileLock } from "./lock.js";
import { logFileOf, logTail, rotateLog, startupFailureLines } from "./log.js";
import { findFreePort, isPortFree } from "./ports.js";
import { spawnEngine, terminate } from "./process.js";
import {
  checkPostgresSettings,
  defaultHost,
  defaultPort,
  defaultStartTimeoutMs,
  defaultStopGraceMs,
  engineEnvironment,
  engineUrls,
  validatePort,
} from "./settings.js";
import {
  type EngineDb,
  type EngineState,
  engineDbs,
  isEngineProcess,
  processMarker,
  readState,
  removeState,
  writeState,
} from "./state.js";

export { type BuildEngineOptions, type BuildEngineResult, buildEngine, engineProjectDir } from "./build.js";
export { defaultJvmArgs, type EngineLaunch } from "./cds.js";
export { credentialsFile, type EngineCredentials } from "./credentials.js";
export { engineAnswers } from "./health.js";
export { logTail, startupFailureLines } from "./log.js";
export { findFreePort, isPortFree } from "./ports.js";
export { defaultHost, defaultPort, defaultStartTimeoutMs, postgresVariables } from "./settings.js";
export { type EngineDb, engineDbs } from "./state.js";

/** The data folder `camunda-gitops engine start` uses when none is given. */
export function defaultDataDir(root: string): string {
  return path.join(localDir(root), "engine");
}

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
  /**
   * Port of the JVM metrics (the JMX exporter agent's /metrics, on the engine's host). Default 9404
   * as in production, or a free port when 9404 is taken; false starts the engine without the agent.
   */
  jvmMetricsPort?: number | false;
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
  /** The JMX exporter agent's Prometheus endpoint (JVM heap, GC, threads, database pool). */
  jvmMetricsUrl?: string;
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
  jvmMetricsUrl?: string;
}

export interface StopEngineResult {
  /** False when no engine of this data folder was running (a stale state file is removed). */
  wasRunning: boolean;
  pid?: number;
  /** True when the engine ignored SIGTERM for the grace period and was killed. */
  forced: boolean;
}

/** A start as the steps below see it: the options resolved once. */
interface StartPlan {
  dataDir: string;
  engineDir: string;
  db: EngineDb;
  host: string;
  port: number;
  timeoutMs: number;
  jvmArgs: readonly string[];
  jvmMetricsPort: number | false | undefined;
  baseEnv: Record<string, string | undefined>;
  progress: (line: string) => void;
  /** What the caller asked for explicitly (an engine already running must match it). */
  requested: { port?: number; db?: EngineDb };
}

function stopCommand(dataDir: string): string {
  // A checkout's default folder (.local/engine) needs no option; any other one does.
  return path.basename(dataDir) === "engine" && path.basename(path.dirname(dataDir)) === ".local"
    ? "camunda-gitops engine stop"
    : `camunda-gitops engine stop --data-dir ${displayPath(dataDir)}`;
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
    ...engineUrls(state.host, state.port),
    logFile: state.logFile,
    dataDir,
    startedAt: state.startedAt,
    credentials: { username: credentials.username, password: credentials.password },
    credentialsSource: credentials.source,
    ...(credentials.file ? { credentialsFile: credentials.file } : {}),
    alreadyRunning,
    ...(state.jvmMetricsPort ? { jvmMetricsUrl: jvmMetricsUrl(state.host, state.jvmMetricsPort) } : {}),
  };
}

function jvmMetricsUrl(host: string, port: number): string {
  return new URL("/metrics", engineUrls(host, port).restUrl).href;
}

/** The agent option and its port, or nothing (with a progress line saying why). */
async function jvmMetricsAgent(plan: StartPlan): Promise<{ option: string; port: number } | undefined> {
  if (plan.jvmMetricsPort === false) return undefined;
  const port =
    plan.jvmMetricsPort ??
    ((await isPortFree(jmxExporterPort, plan.host)) ? jmxExporterPort : await findFreePort(plan.host));
  const agent = jmxAgentOption(plan.engineDir, plan.host, port);
  if ("missing" in agent) {
    plan.progress(
      `no JVM metrics: ${displayPath(agent.missing)} is missing (rebuild with \`camunda-gitops engine build --force\`)`,
    );
    return undefined;
  }
  return { option: agent.option, port };
}

function credentialsMismatch(credentials: EngineCredentials, db: EngineDb, dataDir: string): UserError {
  const where =
    db === "h2" ? `the H2 database in ${displayPath(path.join(dataDir, "h2"))}` : "the PostgreSQL database";
  return new UserError(
    `The engine started, but ${where} already has an admin user "${credentials.username}" with another password than the one from ${credentials.file ? displayPath(credentials.file) : "CAMUNDA_BPM_ADMIN_USER_PASSWORD"}; set CAMUNDA_BPM_ADMIN_USER_ID/CAMUNDA_BPM_ADMIN_USER_PASSWORD to that user's credentials${db === "h2" ? ", or delete the H2 folder to start afresh" : ""}.`,
  );
}

function planStart(options: StartEngineOptions): StartPlan {
  const db = options.db ?? "h2";
  if (!engineDbs.includes(db))
    throw new UsageError(`--db must be one of ${engineDbs.join(", ")}, got "${db}".`);
  const port = options.port ?? defaultPort;
  validatePort(port);
  return {
    dataDir: path.resolve(options.dataDir),
    engineDir: options.engineDir,
    db,
    host: options.host ?? defaultHost,
    port,
    timeoutMs: options.timeoutMs ?? defaultStartTimeoutMs,
    jvmArgs: options.jvmArgs ?? defaultJvmArgs,
    jvmMetricsPort: options.jvmMetricsPort,
    baseEnv: { ...process.env, ...options.env },
    progress: options.onProgress ?? (() => {}),
    requested: {
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.db !== undefined ? { db: options.db } : {}),
    },
  };
}

/**
 * Starts the engine of dataDir in the background and resolves once GET /engine-rest/engine answers and
 * the admin credentials are accepted. When that engine is already running, returns it (idempotent).
 */
export async function startEngine(options: StartEngineOptions): Promise<EngineHandle> {
  const plan = planStart(options);
  mkdirSync(plan.dataDir, { recursive: true, mode: 0o700 });
  return withFileLock(
    path.join(plan.dataDir, ".start.lock"),
    async () => {
      const existing = readState(plan.dataDir);
      if (existing && isEngineProcess(existing.pid, plan.dataDir)) return reuseRunningEngine(existing, plan);
      if (existing) removeState(plan.dataDir);
      return launchNewEngine(plan);
    },
    { onWait: () => plan.progress("waiting for another start of this engine to finish") },
  );
}

/** Checks, builds, spawns and waits; whatever fails after the spawn stops the engine again. */
async function launchNewEngine(plan: StartPlan): Promise<EngineHandle> {
  const { dataDir, db, host, port, progress } = plan;
  if (db === "postgres") checkPostgresSettings(plan.baseEnv);
  if (!(await isPortFree(port, host))) {
    throw new UserError(
      `Port ${port} on ${host} is already in use; stop whatever listens there or choose another port with --port.`,
    );
  }
  const { launch } = await buildEngine({ engineDir: plan.engineDir, onProgress: progress });
  const java = checkJava(process.env).command;
  const credentials = resolveEngineCredentials({ dataDir, env: plan.baseEnv, generate: true })!;
  if (credentials.source === "generated")
    progress(`generated an admin password in ${displayPath(credentials.file!)}`);

  const logFile = logFileOf(dataDir);
  rotateLog(logFile);
  const agent = await jvmMetricsAgent(plan);
  progress(`starting the engine on port ${port} (${db === "h2" ? "H2" : "PostgreSQL"})`);
  const engine = await spawnEngine({
    java,
    args: [
      ...plan.jvmArgs,
      ...launch.jvmArgs,
      ...(agent ? [agent.option] : []),
      processMarker(dataDir),
      ...launch.programArgs,
    ],
    cwd: dataDir,
    env: engineEnvironment({ base: plan.baseEnv, db, dataDir, host, port, credentials }),
    logFile,
  });
  const state: EngineState = {
    pid: engine.pid,
    port,
    host,
    db,
    startedAt: new Date().toISOString(),
    logFile,
    ...(agent ? { jvmMetricsPort: agent.port } : {}),
  };
  writeState(dataDir, state);

  const { restUrl } = engineUrls(host, port);
  progress(`waiting for ${restUrl}/engine`);
  const outcome = await waitUntilAnswering(engine.pid, restUrl, plan.timeoutMs, engine.exited);
  if (outcome !== "up") {
    if (outcome === "timeout") await terminate(engine.pid, 10_000).catch(() => undefined);
    removeState(dataDir);
    const code = engine.exitCode();
    const how =
      outcome === "exited"
        ? `exited during startup${code != null ? ` with exit code ${code}` : ""}`
        : `did not answer on ${restUrl}/engine within ${Math.round(plan.timeoutMs / 1000)} s and was stopped`;
    throw new UserError(`The local engine ${how}; see its log, ${displayPath(logFile)}.`, {
      details: startupFailureLines(logFile),
    });
  }
  if ((await checkCredentials(restUrl, credentials)) === "rejected") {
    await terminate(engine.pid, defaultStopGraceMs).catch(() => undefined);
    removeState(dataDir);
    throw credentialsMismatch(credentials, db, dataDir);
  }
  return handleFromState(state, dataDir, credentials, false);
}

async function reuseRunningEngine(state: EngineState, plan: StartPlan): Promise<EngineHandle> {
  const { dataDir, requested } = plan;
  const mismatch =
    requested.port !== undefined && requested.port !== state.port
      ? `port ${state.port}`
      : requested.db !== undefined && requested.db !== state.db
        ? `the ${state.db} database`
        : undefined;
  if (mismatch) {
    throw new UserError(
      `The engine of ${displayPath(dataDir)} is already running (pid ${state.pid}) with ${mismatch}; stop it first with \`${stopCommand(dataDir)}\` or use another data folder.`,
    );
  }
  const { restUrl } = engineUrls(state.host, state.port);
  plan.progress(`the engine is already running (pid ${state.pid}); waiting for ${restUrl}/engine`);
  const outcome = await waitUntilAnswering(state.pid, restUrl, plan.timeoutMs);
  if (outcome !== "up") {
    throw new UserError(
      `The engine of ${displayPath(dataDir)} (pid ${state.pid}) is running but does not answer on ${restUrl}/engine; see ${displayPath(state.logFile)}, or restart it with \`${stopCommand(dataDir)}\` and \`engine start\`.`,
      { details: logTail(state.logFile) },
    );
  }
  const credentials = resolveEngineCredentials({ dataDir, env: plan.baseEnv, generate: false });
  if (!credentials) {
    throw new UserError(
      `The engine of ${displayPath(dataDir)} is running (pid ${state.pid}), but its admin credentials are unknown here; set CAMUNDA_BPM_ADMIN_USER_ID and CAMUNDA_BPM_ADMIN_USER_PASSWORD as when it was started.`,
    );
  }
  if ((await checkCredentials(restUrl, credentials)) === "rejected")
    throw credentialsMismatch(credentials, state.db, dataDir);
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
  const links = engineUrls(state.host, state.port);
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
    ...(state.jvmMetricsPort ? { jvmMetricsUrl: jvmMetricsUrl(state.host, state.jvmMetricsPort) } : {}),
  };
}
