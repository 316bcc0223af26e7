/** Builds a Worker with test topics against a FakeEngine, with in-memory ports and silent logs. */
import { z } from "zod";
import {
  bpmnError,
  complete,
  defineTopic,
  type HandlerResult,
  type TopicDefinition,
} from "#workers/handler.js";
import { MemoryIdempotencyStore } from "#workers/ports/idempotency-store.js";
import { OutboxNotifier } from "#workers/ports/notifier.js";
import { IdempotentPolicyStore } from "#workers/ports/policy-store.js";
import { createLogger } from "#workers/runtime/logger.js";
import { createMetrics, type WorkerMetrics } from "#workers/runtime/metrics.js";
import { Worker, type WorkerSettings } from "#workers/runtime/worker.js";

/** A promise you resolve from outside: lets a test hold a handler mid-flight. */
export class Gate {
  readonly promise: Promise<void>;
  open: () => void = () => undefined;
  constructor() {
    this.promise = new Promise((resolve) => {
      this.open = resolve;
    });
  }
}

/** What the "hang" and "polite" test topics saw: how often they ran and whether their signal aborted. */
export interface HangLog {
  started: number;
  aborted: number;
}

export function testTopics(gates: { blocker?: Gate; hang?: HangLog } = {}): Record<string, TopicDefinition> {
  const hang = gates.hang ?? { started: 0, aborted: 0 };
  const topics: TopicDefinition[] = [
    defineTopic({
      topic: "echo",
      description: "completes with its input doubled",
      input: z.object({ n: z.int() }),
      outputs: ["doubled", "list"],
      bpmnErrors: [],
      lockDurationMs: 10_000,
      handler: async (input) => complete({ doubled: input.n * 2, list: ["a", "b"] }),
    }),
    defineTopic({
      topic: "blocker",
      description: "waits until the test opens the gate",
      input: z.object({}),
      outputs: ["done"],
      bpmnErrors: [],
      lockDurationMs: 10_000,
      handler: async () => {
        await gates.blocker?.promise;
        return complete({ done: true });
      },
    }),
    defineTopic({
      topic: "thrower",
      description: "always throws",
      input: z.object({}),
      outputs: ["never"],
      bpmnErrors: [],
      lockDurationMs: 10_000,
      handler: async () => {
        throw new Error(`database exploded ${"x".repeat(1000)}`, { cause: new Error("disk full") });
      },
    }),
    defineTopic({
      topic: "business",
      description: "throws a BPMN error",
      input: z.object({}),
      outputs: ["never"],
      bpmnErrors: ["NOT_INSURABLE"],
      lockDurationMs: 10_000,
      handler: async () => bpmnError("NOT_INSURABLE", "too risky", { checkedAt: "now" }),
    }),
    defineTopic({
      topic: "hang",
      description: "never returns and ignores its signal (a call without a timeout)",
      input: z.object({}),
      outputs: ["never"],
      bpmnErrors: [],
      lockDurationMs: 10_000,
      timeoutMs: 300,
      handler: async (_input, ctx) => {
        hang.started++;
        ctx.signal.addEventListener("abort", () => hang.aborted++);
        return new Promise<HandlerResult>(() => undefined);
      },
    }),
    defineTopic({
      topic: "polite",
      description: "waits forever but stops when its signal aborts",
      input: z.object({}),
      outputs: ["never"],
      bpmnErrors: [],
      lockDurationMs: 10_000,
      timeoutMs: 300,
      handler: (_input, ctx) =>
        new Promise<HandlerResult>((_resolve, reject) => {
          hang.started++;
          ctx.signal.addEventListener("abort", () => {
            hang.aborted++;
            reject(ctx.signal.reason);
          });
        }),
    }),
  ] as unknown as TopicDefinition[];
  return Object.fromEntries(topics.map((t) => [t.topic, t]));
}

export function testSettings(url: string, overrides: Partial<WorkerSettings> = {}): WorkerSettings {
  return {
    baseUrl: url,
    username: "demo",
    password: "secret",
    workerId: "unit-worker",
    parallelism: 4,
    maxTasks: 4,
    lockDurationMs: 0,
    taskTimeoutMs: 0,
    taskTimeoutMaxMs: 300_000,
    taskCancelGraceMs: 100,
    longPollMs: 5_000,
    httpTimeoutMs: 2_000,
    retries: 3,
    retryBackoffMs: 1_000,
    retryBackoffMaxMs: 60_000,
    backoffInitialMs: 20,
    backoffMaxMs: 200,
    shutdownGraceMs: 2_000,
    ...overrides,
  };
}

/** Every worker testWorker made, so a failed assertion cannot leave one polling (the file would hang). */
const made = new Set<Worker>();

/** Stops each worker a test made and left running (after a failed assertion); a stopped one is a no-op. */
export async function stopTestWorkers(): Promise<void> {
  const running = [...made].filter((w) => w.state === "running");
  made.clear();
  await Promise.all(running.map((w) => w.stop(0)));
}

export function testWorker(
  url: string,
  overrides: Partial<WorkerSettings> = {},
  topics = testTopics(),
): { worker: Worker; metrics: WorkerMetrics; store: MemoryIdempotencyStore } {
  const store = new MemoryIdempotencyStore();
  const metrics = createMetrics({ defaultMetrics: false });
  const worker = new Worker(testSettings(url, overrides), {
    topics,
    policies: new IdempotentPolicyStore(store),
    notifier: new OutboxNotifier(store),
    logger: createLogger({ level: "silent" }),
    metrics,
  });
  made.add(worker);
  return { worker, metrics, store };
}

export async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
