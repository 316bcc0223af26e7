/**
 * Pieces of the two-node cluster test: the real workers as a child process (exactly as the container
 * runs them), applications built from processes/examples/, and the people and the applicant acting
 * through the REST API of a chosen node. Every wait is bounded and names what it waited for.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CamundaClient } from "#core/camunda/index.js";
import { findFreePort } from "#core/engine/ports.js";
import { waitFor } from "../../support/engine.js";
import { repoRoot } from "../../support/repo.js";

export type Example = "green" | "yellow" | "red" | "incomplete";

export interface TypedValue {
  value: unknown;
  type: string;
}

export interface Application {
  businessKey: string;
  example: Example;
  variables: Record<string, TypedValue>;
}

/** The example payload of a path under a new business key (which is also the applicationId). */
export function application(
  example: Example,
  businessKey: string,
  extra: Record<string, TypedValue> = {},
): Application {
  const payload = JSON.parse(
    readFileSync(path.join(repoRoot, "processes", "examples", `${example}.json`), "utf8"),
  ) as {
    variables: Record<string, TypedValue>;
  };
  return {
    businessKey,
    example,
    variables: { ...payload.variables, applicationId: { value: businessKey, type: "String" }, ...extra },
  };
}

export async function startApplication(client: CamundaClient, app: Application): Promise<string> {
  const instance = await client.ok(
    client.api.POST("/process-definition/key/{key}/start", {
      params: { path: { key: "insurance_process" } },
      body: { businessKey: app.businessKey, variables: app.variables },
    }),
  );
  if (!instance.id) throw new Error(`starting ${app.businessKey} returned no process instance id`);
  return instance.id;
}

/** Acts as a person: waits for the open user task of this application and completes it. */
export async function completeUserTask(
  client: CamundaClient,
  businessKey: string,
  taskDefinitionKey: string,
  variables: Record<string, TypedValue>,
  timeoutMs: number,
): Promise<void> {
  const task = await waitFor(
    `user task ${taskDefinitionKey} of ${businessKey} on ${client.baseUrl}`,
    async () => {
      const tasks = await client.ok(
        client.api.GET("/task", {
          params: { query: { processInstanceBusinessKey: businessKey, taskDefinitionKey } },
        }),
      );
      return tasks[0];
    },
    { timeoutMs, intervalMs: 250 },
  );
  await client.ok(
    client.api.POST("/task/{id}/complete", {
      params: { path: { id: task.id ?? "" } },
      body: { variables, withVariablesInReturn: false },
    }),
  );
}

/** Acts as the applicant: once the document request waits for them, sends the complete documents. */
export async function sendDocuments(
  client: CamundaClient,
  businessKey: string,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    `a document request of ${businessKey} waiting for DocumentsReceived on ${client.baseUrl}`,
    async () => {
      const executions = await client.ok(
        client.api.GET("/execution", {
          params: { query: { businessKey, messageEventSubscriptionName: "DocumentsReceived" } },
        }),
      );
      return executions.length > 0;
    },
    { timeoutMs, intervalMs: 250 },
  );
  await client.ok(
    client.api.POST("/message", {
      body: {
        messageName: "DocumentsReceived",
        businessKey,
        processVariables: {
          documents: { value: JSON.stringify(["DRIVING_LICENCE", "VEHICLE_REGISTRATION"]), type: "Json" },
        },
        all: false,
        resultEnabled: false,
        variablesInResultEnabled: false,
        withoutTenantId: false,
      },
    }),
  );
}

export interface FinishedApplication {
  businessKey: string;
  processInstanceId: string;
  state: string;
}

/** Every insurance_process instance whose business key starts with prefix, from history. */
export async function applicationHistory(
  client: CamundaClient,
  prefix: string,
): Promise<FinishedApplication[]> {
  const instances = await client.ok(
    client.api.GET("/history/process-instance", {
      params: {
        query: { processDefinitionKey: "insurance_process", processInstanceBusinessKeyLike: `${prefix}%` },
      },
    }),
  );
  return instances.map((instance) => ({
    businessKey: instance.businessKey ?? "",
    processInstanceId: instance.id ?? "",
    state: instance.state ?? "",
  }));
}

/** The end events each of the given process instances reached (history; a completed instance has one). */
export async function endEvents(
  client: CamundaClient,
  processInstanceIds: string[],
): Promise<Map<string, string[]>> {
  const wanted = new Set(processInstanceIds);
  const activities = await client.ok(
    client.api.POST("/history/activity-instance", {
      params: { query: { maxResults: 10_000 } },
      body: { activityType: "noneEndEvent", finished: true },
    }),
  );
  const reached = new Map<string, string[]>(processInstanceIds.map((id) => [id, []]));
  for (const activity of activities) {
    const id = activity.processInstanceId ?? "";
    if (wanted.has(id)) reached.get(id)?.push(activity.activityId ?? "");
  }
  return reached;
}

/** Finished activity instances of one activity across the given process instances (history). */
export async function activityCount(
  client: CamundaClient,
  activityId: string,
  processInstanceIds: string[],
): Promise<Map<string, number>> {
  // The query has no "process instance in" filter; the database is the test's own, so filter here.
  const wanted = new Set(processInstanceIds);
  const activities = await client.ok(
    client.api.POST("/history/activity-instance", {
      params: { query: { maxResults: 10_000 } },
      body: { activityId, finished: true },
    }),
  );
  const counts = new Map<string, number>(processInstanceIds.map((id) => [id, 0]));
  for (const activity of activities) {
    const id = activity.processInstanceId ?? "";
    if (wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The process-level value of `name` per process instance, from history. */
export async function historyVariable(
  client: CamundaClient,
  name: string,
  processInstanceIds: string[],
): Promise<Map<string, unknown[]>> {
  const variables = await client.ok(
    client.api.POST("/history/variable-instance", {
      params: { query: { deserializeValues: false } },
      body: { variableName: name, processInstanceIdIn: processInstanceIds },
    }),
  );
  const values = new Map<string, unknown[]>();
  for (const variable of variables) {
    // Only the process scope: local copies in activities (inputs of a notification) are not the result.
    if (variable.activityInstanceId !== variable.processInstanceId) continue;
    const id = variable.processInstanceId ?? "";
    values.set(id, [...(values.get(id) ?? []), variable.value]);
  }
  return values;
}

export interface WorkersProcess {
  child: ChildProcess;
  metricsUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts the production workers (workers/src/main.ts) against one engine, with default settings, and
 * waits until /readyz says they reached the engine.
 */
export async function startWorkers(options: {
  restUrl: string;
  username: string;
  password: string;
  dataDir: string;
  timeoutMs: number;
  env?: Record<string, string>;
}): Promise<WorkersProcess> {
  const port = await findFreePort();
  const logFile = path.join(options.dataDir, "workers.log");
  const log = openSync(logFile, "a", 0o600);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(repoRoot, "workers", "src", "main.ts")],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CAMUNDA_URL: options.restUrl,
        CAMUNDA_USERNAME: options.username,
        CAMUNDA_PASSWORD: options.password,
        WORKER_HTTP_HOST: "127.0.0.1",
        WORKER_HTTP_PORT: String(port),
        WORKER_DATA_DIR: path.join(options.dataDir, "workers"),
        ...options.env,
      },
      stdio: ["ignore", log, log],
    },
  );
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `the workers' ${base}/readyz (log: ${logFile})`,
      async () => {
        if (exitCode !== undefined)
          throw new Error(`the workers exited with code ${exitCode}: ${logTail(logFile)}`);
        const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.ok;
      },
      { timeoutMs: options.timeoutMs, intervalMs: 300 },
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    child,
    metricsUrl: `${base}/metrics`,
    logFile,
    stop: async () => {
      if (exitCode !== undefined) return;
      child.kill("SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
      if (!stopped) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function logTail(file: string, lines = 8): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n");
}
