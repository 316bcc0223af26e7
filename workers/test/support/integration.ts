/**
 * Integration helpers: deploy the repository's processes into a tenant of the test's own, run real
 * workers (the same runtime as production) bound to that tenant, and wait for engine states.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildWorkersBundle } from "#core/bundle/workers-bundle.js";
import type { CamundaClient } from "#core/camunda/index.js";
import { findFreePort } from "#core/engine/ports.js";
import type { TopicDefinition } from "#workers/handler.js";
import { loadWorkerConfig } from "#workers/runtime/config.js";
import { createLogger } from "#workers/runtime/logger.js";
import { type RunningWorkers, runWorkers } from "#workers/runtime/run.js";
import { uniqueId, waitFor } from "../../../test/support/engine.js";
import { repoPath, repoRoot } from "../../../test/support/repo.js";

export type Typed = Record<string, { value: unknown; type: string }>;

// Worker data folders of this test file; the file removes them in an after() hook.
const dataDirs: string[] = [];

export function removeTempDataDirs(): void {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function tempDataDir(prefix = "workers-data-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dataDirs.push(dir);
  return dir;
}

export async function deployProcesses(client: CamundaClient, tenantId: string): Promise<void> {
  const files = [
    "insurance_process.bpmn",
    "document_request.bpmn",
    "risk_rating.dmn",
    "review-application.form",
  ];
  await client.deploy({
    name: `workers-test-${tenantId}`,
    source: "workers/test",
    tenantId,
    resources: files.map((name) => ({ name, content: readFileSync(repoPath("processes", name), "utf8") })),
  });
}

/** A one-task process on `topic`, for fault tests that need a topic of their own. */
export async function deploySingleTask(
  client: CamundaClient,
  tenantId: string,
  processKey: string,
  topic: string,
): Promise<void> {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${processKey}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="work" name="Work" camunda:type="external" camunda:topic="${topic}"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`;
  await client.deploy({
    name: `workers-test-${processKey}`,
    tenantId,
    resources: [{ name: `${processKey}.bpmn`, content: xml }],
  });
}

export async function startInstance(
  client: CamundaClient,
  tenantId: string,
  processKey: string,
  businessKey: string,
  variables: Typed,
): Promise<string> {
  const instance = await client.ok(
    client.api.POST("/process-definition/key/{key}/tenant-id/{tenant-id}/start", {
      params: { path: { key: processKey, "tenant-id": tenantId } },
      body: { businessKey, variables },
    }),
  );
  return instance.id ?? "";
}

export function workerEnv(
  engine: { restUrl: string; username: string; password: string },
  tenantId: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    CAMUNDA_URL: engine.restUrl,
    CAMUNDA_USERNAME: engine.username,
    CAMUNDA_PASSWORD: engine.password,
    WORKER_TENANT_ID: tenantId,
    WORKER_HTTP_HOST: "127.0.0.1",
    WORKER_HTTP_PORT: "0",
    WORKER_LONG_POLL_MS: "2000",
    WORKER_DATA_DIR: tempDataDir(),
    LOG_LEVEL: process.env.WORKERS_TEST_LOG_LEVEL ?? "warn",
    ...extra,
  };
}

export function startWorkers(
  env: Record<string, string>,
  topics?: Readonly<Record<string, TopicDefinition>>,
): Promise<RunningWorkers> {
  const config = loadWorkerConfig(env);
  return runWorkers(config, {
    handleSignals: false,
    logger: createLogger({ level: env.LOG_LEVEL ?? "warn", destination: process.stderr }),
    ...(topics ? { topics } : {}),
  });
}

export async function waitForCompletion(
  client: CamundaClient,
  processInstanceId: string,
  timeoutMs = 120_000,
): Promise<void> {
  await waitFor(
    `process instance ${processInstanceId} to complete`,
    async () => {
      const instance = await client.ok(
        client.api.GET("/history/process-instance/{id}", { params: { path: { id: processInstanceId } } }),
      );
      return instance.state === "COMPLETED";
    },
    { timeoutMs, intervalMs: 200 },
  );
}

export async function finalVariables(
  client: CamundaClient,
  processInstanceId: string,
): Promise<Record<string, unknown>> {
  const variables = await client.ok(
    client.api.GET("/history/variable-instance", {
      params: { query: { processInstanceId, deserializeValues: false } },
    }),
  );
  return Object.fromEntries(
    variables.map((v) => [
      v.name ?? "",
      v.type === "Json" && typeof v.value === "string" ? JSON.parse(v.value) : v.value,
    ]),
  );
}

export async function incidentsOf(
  client: CamundaClient,
  tenantId: string,
): Promise<{ message: string; activityId: string }[]> {
  const incidents = await client.ok(
    client.api.GET("/incident", { params: { query: { tenantIdIn: tenantId } } }),
  );
  return incidents.map((i) => ({ message: i.incidentMessage ?? "", activityId: i.activityId ?? "" }));
}

export function newTenant(prefix: string): string {
  return uniqueId(prefix).replace(/[^A-Za-z0-9_-]/g, "-");
}

/** The workers as the container runs them: their built file, started with Node alone. */
export interface WorkersProcess {
  readonly pid: number;
  /** Port of /healthz, /readyz and /metrics. */
  readonly port: number;
  /** Sends a signal (SIGSTOP/SIGCONT freeze and thaw the host, as a long GC pause or a frozen VM would). */
  kill(signal: NodeJS.Signals): void;
  /** What the process logged so far (with `captureLog`). */
  log(): string;
  /** Prometheus text from /metrics. */
  metrics(): Promise<string>;
  /** SIGTERM, then the exit code once the graceful stop is over. */
  stop(): Promise<number | null>;
}

/**
 * Builds the workers' bundle (the file the Dockerfile copies) into a folder with no node_modules
 * above it and starts it with `env`, as the container's entry point does; resolves once /readyz
 * answers 200.
 */
export async function startWorkersBundle(
  env: Record<string, string>,
  options: { captureLog?: boolean } = {},
): Promise<WorkersProcess> {
  const dir = tempDataDir("workers-bundle-");
  const { file } = await buildWorkersBundle(repoRoot, path.join(dir, "main.mjs"));
  const logFile = path.join(dir, "workers.log");
  const port =
    env.WORKER_HTTP_PORT && env.WORKER_HTTP_PORT !== "0"
      ? env.WORKER_HTTP_PORT
      : String(await findFreePort());
  const out = options.captureLog ? openSync(logFile, "a", 0o600) : "inherit";
  const child = spawn(process.execPath, [file], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", ...env, WORKER_HTTP_PORT: port },
    stdio: ["ignore", out, out],
  });
  if (typeof out === "number") closeSync(out);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let gone = false;
  const startupExit = exited.then((code) => {
    gone = true;
    throw new Error(`the workers' bundle exited during startup (exit code ${code}) ${log().slice(-2000)}`);
  });
  startupExit.catch(() => undefined);
  await Promise.race([
    startupExit,
    waitFor(
      "the workers' bundle to report ready",
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok,
      { timeoutMs: 60_000, intervalMs: 200 },
    ),
  ]);
  return {
    pid: child.pid!,
    port: Number(port),
    kill: (signal) => {
      if (!gone) child.kill(signal);
    },
    log,
    metrics: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
    stop: async () => {
      if (!gone) child.kill("SIGTERM");
      return exited;
    },
  };
}
