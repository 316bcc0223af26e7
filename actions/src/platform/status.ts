/**
 * The local platform's status: where to click, what is deployed, what is running. Read from the
 * engine's REST API and the workers' readiness endpoint; `up` prints it at the end and
 * `camunda-gitops status` prints it at any time.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { createCamundaClient } from "#core/camunda/index.js";
import { defaultDataDir, engineStatus } from "#core/engine/local-engine.js";
import { EngineCollector } from "#core/metrics/collect.js";
import { countingFetch, type RequestCounter } from "#core/metrics/requests.js";
import { formatWork, summariseWork, type WorkSummary } from "#core/metrics/summary.js";
import { displayPath } from "#core/util/paths.js";
import { isAlive, platformFiles, readState } from "./state.js";

export interface DefinitionRow {
  type: "process" | "decision";
  key: string;
  version: number;
  running: number;
  completed: number;
  incidents: number;
}

export interface PlatformStatus {
  engine: {
    running: boolean;
    restUrl?: string;
    cockpitUrl?: string;
    tasklistUrl?: string;
    db?: string;
    pid?: number;
    /** The JMX exporter agent's Prometheus endpoint (heap, GC, threads, database pool). */
    jvmMetricsUrl?: string;
  };
  login: { username: string; where: string } | null;
  workers: { running: boolean; pid?: number; ready: boolean; metricsUrl?: string; logFile?: string };
  /** The business metrics exporter `up` started. */
  exporter: { running: boolean; pid?: number; ready: boolean; metricsUrl?: string; logFile?: string };
  definitions: DefinitionRow[];
  openTasks: Array<{ name: string; businessKey: string | null; candidateGroups: string[]; created: string }>;
  incidents: number;
  /** Backlog, reviews, incidents and throughput, from one poll of the metrics exporter's collector. */
  work?: WorkSummary;
}

export async function readPlatformStatus(options: {
  /** The checkout whose platform to describe. */
  root: string;
  /** The engine's data folder; default defaultDataDir(root). */
  dataDir?: string;
  credentials?: { username: string; password: string; where: string };
}): Promise<PlatformStatus> {
  const state = readState(platformFiles(options.root).stateFile);
  const engine = await engineStatus({ dataDir: options.dataDir ?? defaultDataDir(options.root) });
  const workers = await processStatus(state?.workers);
  const exporter = await processStatus(state?.exporter);
  const status: PlatformStatus = {
    engine: { running: engine.answering },
    login: options.credentials
      ? { username: options.credentials.username, where: options.credentials.where }
      : null,
    workers,
    exporter,
    definitions: [],
    openTasks: [],
    incidents: 0,
  };
  if (!engine.answering || !engine.restUrl) return status;
  status.engine = {
    running: true,
    restUrl: engine.restUrl,
    ...(engine.cockpitUrl ? { cockpitUrl: engine.cockpitUrl } : {}),
    ...(engine.webappUrl ? { tasklistUrl: `${engine.webappUrl}tasklist/default/` } : {}),
    ...(engine.db ? { db: engine.db } : {}),
    ...(engine.pid ? { pid: engine.pid } : {}),
    ...(engine.jvmMetricsUrl ? { jvmMetricsUrl: engine.jvmMetricsUrl } : {}),
  };
  if (!options.credentials) return status;
  const requests: RequestCounter = { count: 0 };
  const client = createCamundaClient({
    baseUrl: engine.restUrl,
    ...options.credentials,
    retries: 1,
    fetch: countingFetch(requests),
  });
  status.definitions = await definitionRows(client);
  status.openTasks = await openTasks(client);
  status.incidents = (await client.ok(client.api.GET("/incident/count"))).count ?? 0;
  status.work = await summariseWork(new EngineCollector({ client, requests, metersIntervalMs: false }));
  return status;
}

/** A background process `up` started (workers or exporter): alive, and ready on its /readyz. */
async function processStatus(
  entry: { pid: number; port: number; logFile: string } | null | undefined,
): Promise<PlatformStatus["workers"]> {
  const pid = entry?.pid;
  if (!entry || pid === undefined || !isAlive(pid)) return { running: false, ready: false };
  const base = `http://127.0.0.1:${entry.port}`;
  let ready = false;
  try {
    ready = (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    ready = false;
  }
  return {
    running: true,
    ...(pid ? { pid } : {}),
    ready,
    metricsUrl: `${base}/metrics`,
    logFile: displayPath(entry.logFile),
  };
}

async function definitionRows(client: CamundaClient): Promise<DefinitionRow[]> {
  const processes = await client.ok(
    client.api.GET("/process-definition", {
      params: { query: { latestVersion: true, sortBy: "key", sortOrder: "asc" } },
    }),
  );
  const rows: DefinitionRow[] = [];
  for (const definition of processes) {
    const key = definition.key ?? "";
    const [running, completed, incidents] = await Promise.all([
      client.ok(
        client.api.GET("/process-instance/count", { params: { query: { processDefinitionKey: key } } }),
      ),
      client.ok(
        client.api.GET("/history/process-instance/count", {
          params: { query: { processDefinitionKey: key, finished: true } },
        }),
      ),
      client.ok(client.api.GET("/incident/count", { params: { query: { processDefinitionKeyIn: key } } })),
    ]);
    rows.push({
      type: "process",
      key,
      version: definition.version ?? 0,
      running: running.count ?? 0,
      completed: completed.count ?? 0,
      incidents: incidents.count ?? 0,
    });
  }
  const decisions = await client.ok(
    client.api.GET("/decision-definition", {
      params: { query: { latestVersion: true, sortBy: "key", sortOrder: "asc" } },
    }),
  );
  for (const decision of decisions) {
    rows.push({
      type: "decision",
      key: decision.key ?? "",
      version: decision.version ?? 0,
      running: 0,
      completed: 0,
      incidents: 0,
    });
  }
  return rows;
}

async function openTasks(client: CamundaClient): Promise<PlatformStatus["openTasks"]> {
  const tasks = await client.ok(
    client.api.GET("/task", { params: { query: { sortBy: "created", sortOrder: "asc", maxResults: 20 } } }),
  );
  const rows: PlatformStatus["openTasks"] = [];
  for (const task of tasks) {
    const links = await client.ok(
      client.api.GET("/task/{id}/identity-links", { params: { path: { id: task.id! } } }),
    );
    const instance = task.processInstanceId
      ? await client.ok(
          client.api.GET("/process-instance/{id}", { params: { path: { id: task.processInstanceId } } }),
        )
      : null;
    rows.push({
      name: task.name ?? task.taskDefinitionKey ?? "(unnamed)",
      businessKey: instance?.businessKey ?? null,
      candidateGroups: links.filter((l) => l.type === "candidate" && l.groupId).map((l) => l.groupId!),
      created: task.created ?? "",
    });
  }
  return rows;
}

/** The status as a few aligned lines for a terminal or a CI log. */
export function formatStatus(status: PlatformStatus): string {
  const lines: string[] = [];
  if (!status.engine.running) {
    lines.push("Engine:    not running (start the platform with `npm start`)");
  } else {
    lines.push(`Engine:    up (${status.engine.db ?? "?"}, pid ${status.engine.pid ?? "?"})`);
    lines.push(`Cockpit:   ${status.engine.cockpitUrl}`);
    lines.push(`Tasklist:  ${status.engine.tasklistUrl}`);
    lines.push(`REST API:  ${status.engine.restUrl}`);
    if (status.login) lines.push(`Login:     ${status.login.username} (password in ${status.login.where})`);
  }
  lines.push(
    status.workers.running
      ? `Workers:   ${status.workers.ready ? "ready" : "running, engine not reachable"} (pid ${status.workers.pid}, metrics ${status.workers.metricsUrl}, log ${status.workers.logFile})`
      : "Workers:   not running",
  );
  if (status.exporter.running) {
    lines.push(
      `Metrics:   ${status.exporter.ready ? "ready" : "running, engine not reachable"} (pid ${status.exporter.pid}, ${status.exporter.metricsUrl}, log ${status.exporter.logFile})`,
    );
  }
  if (status.engine.jvmMetricsUrl)
    lines.push(`JVM:       ${status.engine.jvmMetricsUrl} (heap, GC, threads, database pool)`);
  if (status.definitions.length > 0) {
    lines.push("", "Definitions:");
    const width = Math.max(...status.definitions.map((d) => d.key.length));
    lines.push(`  ${"key".padEnd(width)}  type      version  running  completed  incidents`);
    for (const d of status.definitions) {
      const counts =
        d.type === "process"
          ? `${String(d.running).padStart(7)}  ${String(d.completed).padStart(9)}  ${String(d.incidents).padStart(9)}`
          : "";
      lines.push(
        `  ${d.key.padEnd(width)}  ${d.type.padEnd(8)}  ${String(d.version).padStart(7)}  ${counts}`.trimEnd(),
      );
    }
  }
  if (status.engine.running && status.login) {
    lines.push("", `Open user tasks: ${status.openTasks.length}${status.openTasks.length === 20 ? "+" : ""}`);
    for (const task of status.openTasks) {
      lines.push(
        `  ${task.name} — ${task.businessKey ?? "?"} (${task.candidateGroups.join(", ") || "no group"})`,
      );
    }
    lines.push(`Incidents: ${status.incidents}`);
  }
  if (status.work) lines.push("", ...formatWork(status.work));
  return lines.join("\n");
}
