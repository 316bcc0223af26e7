/**
 * The two ways an application goes through the GREEN path in this benchmark:
 * - the starter (shared by both): starts N insurance_process instances from processes/examples/green.json;
 * - the bare REST loop: fetchAndLock (maxTasks 100, the same topics and fetched variables as the
 *   workers) and complete with the same output variable names, no validation, no handler, no store.
 *   It is not a ceiling (the CPU bound is, see report.ts); it measures the engine's and database's
 *   cost of the same work without the workers, and lets the benchmark vary what the completes write;
 * - (the real workers run as their own process, see run.ts).
 * Every request is timed per operation.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { topicRegistry } from "#workers/registry.js";
import { repoRoot } from "../../test/support/repo.js";
import type { Latencies } from "./measure.js";
import type { Outputs } from "./settings.js";

/** The external tasks of the GREEN path, in order. */
export const greenTopics = [
  "validate-application",
  "calculate-premium",
  "issue-policy",
  "send-notification",
] as const;

export interface Engine {
  restUrl: string;
  authorization: string;
}

export function engine(restUrl: string, username: string, password: string): Engine {
  return { restUrl, authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
}

/** One timed JSON request; throws with the engine's message on a non-2xx answer. */
export async function call<T>(
  target: Engine,
  latencies: Latencies | undefined,
  operation: string,
  method: "GET" | "POST",
  route: string,
  body?: unknown,
): Promise<T> {
  const started = performance.now();
  const response = await fetch(`${target.restUrl}${route}`, {
    method,
    headers: {
      authorization: target.authorization,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  latencies?.record(operation, performance.now() - started);
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  });
  await Promise.all(lanes);
}

const green = JSON.parse(
  readFileSync(path.join(repoRoot, "processes", "examples", "green.json"), "utf8"),
) as {
  variables: Record<string, { value: unknown; type: string }>;
};

/** Starts `count` GREEN applications with business keys `${prefix}-<n>`, `concurrency` requests at a time. */
export async function startApplications(
  target: Engine,
  latencies: Latencies,
  prefix: string,
  count: number,
  concurrency: number,
): Promise<void> {
  const keys = Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(5, "0")}`);
  await pool(keys, concurrency, async (businessKey) => {
    await call(
      target,
      latencies,
      "start instance",
      "POST",
      "/process-definition/key/insurance_process/start",
      {
        businessKey,
        variables: { ...green.variables, applicationId: { value: businessKey, type: "String" } },
      },
    );
  });
}

/** Finished insurance_process instances of this run, from history. */
export async function finishedCount(target: Engine, prefix: string): Promise<number> {
  const query = new URLSearchParams({
    processDefinitionKey: "insurance_process",
    finished: "true",
    processInstanceBusinessKeyLike: `${prefix}-%`,
  });
  const { count } = await call<{ count: number }>(
    target,
    undefined,
    "count",
    "GET",
    `/history/process-instance/count?${query}`,
  );
  return count;
}

/**
 * The outputs no later step of the GREEN path reads (the gateway reads applicationComplete in the same
 * transaction; missingDocuments matters only on the incomplete path; vehicleClass, policyIssuedAt and
 * notificationId are records, not inputs). Sent as transient they are neither stored nor in history.
 */
export const unreadOutputs = new Set([
  "applicationComplete",
  "missingDocuments",
  "vehicleClass",
  "policyIssuedAt",
  "notificationId",
]);

/** Same names as the workers set, plain values: the engine stores as many variables either way. */
function outputs(
  topic: string,
  businessKey: string,
  mode: Outputs,
): Record<string, { value: unknown; type: string; valueInfo?: { transient: true } }> {
  const values = outputValues(topic, businessKey);
  if (mode === "persistent") return values;
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => [
      name,
      unreadOutputs.has(name) ? { ...v, valueInfo: { transient: true as const } } : v,
    ]),
  );
}

function outputValues(topic: string, businessKey: string): Record<string, { value: unknown; type: string }> {
  switch (topic) {
    case "validate-application":
      return {
        applicationComplete: { value: true, type: "Boolean" },
        missingDocuments: { value: "[]", type: "Json" },
      };
    case "calculate-premium":
      return {
        premium: { value: 820.5, type: "Double" },
        vehicleClass: { value: "STANDARD", type: "String" },
      };
    case "issue-policy":
      return {
        policyNumber: { value: `BARE-${businessKey}`, type: "String" },
        policyIssuedAt: { value: new Date().toISOString(), type: "String" },
      };
    case "send-notification":
      return { notificationId: { value: `n-${businessKey}`, type: "String" } };
    default:
      throw new Error(`the bare loop does not handle topic ${topic}`);
  }
}

interface LockedTask {
  id: string;
  topicName: string;
  businessKey: string | null;
}

/**
 * The bare loop: one fetcher long-polls for up to 100 tasks of the GREEN topics whenever fewer than
 * 100 are waiting, and `concurrency` lanes complete them (pipelined like the workers, so the ceiling is
 * not held back by waiting for a whole batch) until `done()` says the run is over.
 */
export async function bareLoop(
  target: Engine,
  latencies: Latencies,
  options: { workerId: string; concurrency: number; done: () => boolean; outputs: Outputs },
): Promise<{ completed: number; batchSizes: number[] }> {
  const topics = greenTopics.map((topicName) => ({
    topicName,
    lockDuration: 60_000,
    variables: [...(topicRegistry[topicName]?.variables ?? [])],
  }));
  let completed = 0;
  const batchSizes: number[] = [];
  const queue: LockedTask[] = [];
  let wake: () => void = () => undefined;
  let arrived = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const signal = () => {
    wake();
    arrived = new Promise<void>((resolve) => {
      wake = resolve;
    });
  };
  let spaceWake: () => void = () => undefined;
  const fetcher = (async () => {
    while (!options.done()) {
      if (queue.length >= 100) {
        await new Promise<void>((resolve) => {
          spaceWake = resolve;
        });
        continue;
      }
      const started = performance.now();
      const tasks = await call<LockedTask[]>(
        target,
        undefined,
        "fetchAndLock",
        "POST",
        "/external-task/fetchAndLock",
        {
          workerId: options.workerId,
          maxTasks: 100,
          usePriority: true,
          asyncResponseTimeout: 1_000,
          topics,
        },
      );
      if (tasks.length === 0) continue;
      // A long poll that returned tasks: its time is (mostly) the engine locking them.
      latencies.record("fetchAndLock (non-empty)", performance.now() - started);
      batchSizes.push(tasks.length);
      queue.push(...tasks);
      signal();
    }
    signal(); // let idle lanes see that the run is over
  })();
  const lanes = Array.from({ length: options.concurrency }, async () => {
    while (!options.done()) {
      const task = queue.shift();
      if (!task) {
        // Re-check now and then: the run ends by the watcher, not by a fetch.
        await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 250))]);
        continue;
      }
      if (queue.length < 100) spaceWake();
      await call(target, latencies, "complete", "POST", `/external-task/${task.id}/complete`, {
        workerId: options.workerId,
        variables: outputs(task.topicName, task.businessKey ?? task.id, options.outputs),
      });
      completed++;
    }
  });
  await Promise.all([fetcher, ...lanes]);
  return { completed, batchSizes };
}
