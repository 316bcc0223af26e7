/**
 * The drain benchmark's contenders: each one serves the no-op topic until stopped, calls onTask with
 * the business key of every task it holds, and counts its REST requests where it can.
 */
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { BasicAuthInterceptor, Client } from "camunda-external-task-client-js";
import { z } from "zod";
import { complete, defineTopic, type TopicDefinition } from "#workers/handler.js";
import { MemoryIdempotencyStore } from "#workers/ports/idempotency-store.js";
import { OutboxNotifier } from "#workers/ports/notifier.js";
import { IdempotentPolicyStore } from "#workers/ports/policy-store.js";
import { loadWorkerConfig } from "#workers/runtime/config.js";
import { createLogger } from "#workers/runtime/logger.js";
import { createMetrics } from "#workers/runtime/metrics.js";
import { Worker } from "#workers/runtime/worker.js";

export const TOPIC = "bench-noop";

export interface Engine {
  restUrl: string;
  username: string;
  password: string;
}

export interface Contender {
  name: string;
  start(onTask: (businessKey: string) => void): Promise<void>;
  stop(): Promise<void>;
  requests(): number | undefined;
  /** How long to wait after stop() before the next contender (a long poll left running). */
  settleMs: number;
  /** Why the contender stopped serving on its own (its process died), if it did. */
  failure?(): string | undefined;
}

export const log = (line: string) => console.error(`[bench] ${line}`);

/**
 * A minimal JSON POST over node:http with one keep-alive agent (sockets reused, as many as requests in
 * flight): the cheapest client this machine has, so the ceiling measures the engine, not the client.
 */
function poster(e: Engine) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(e.restUrl);
  const authorization = `Basic ${Buffer.from(`${e.username}:${e.password}`).toString("base64")}`;
  let count = 0;
  const post = (p: string, body: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      count++;
      const payload = JSON.stringify(body);
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: `${url.pathname.replace(/\/$/, "")}${p}`,
          headers: {
            authorization,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if ((res.statusCode ?? 0) >= 300)
              reject(new Error(`${p}: ${res.statusCode} ${text.slice(0, 200)}`));
            else resolve(text ? JSON.parse(text) : undefined);
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  return { post, requests: () => count, close: () => agent.destroy() };
}

interface RawTask {
  id: string;
  businessKey: string;
}

const fetchBody = (workerId: string, maxTasks: number) => ({
  workerId,
  maxTasks,
  asyncResponseTimeout: 1000,
  topics: [{ topicName: TOPIC, lockDuration: 60_000 }],
});

/** fetchAndLock(100), then its completes in parallel, and again (the sequential loop, and the cleaner). */
export function sequential(e: Engine): Contender {
  const http = poster(e);
  let running = false;
  let loop: Promise<unknown> | undefined;
  return {
    name: "(a') sequential loop: fetchAndLock(100), then its completes",
    settleMs: 1_000,
    async start(onTask) {
      running = true;
      loop = (async () => {
        while (running) {
          const tasks = (await http.post("/external-task/fetchAndLock", fetchBody("bare", 100))) as RawTask[];
          for (const t of tasks) onTask(t.businessKey);
          await Promise.all(
            tasks.map((t) => http.post(`/external-task/${t.id}/complete`, { workerId: "bare" })),
          );
        }
      })();
    },
    async stop() {
      running = false;
      await loop;
      http.close();
    },
    requests: http.requests,
  };
}

/**
 * A pipelined loop, the candidate ceiling: one fetcher (concurrent fetches of one topic collide on the
 * same rows and fail with optimistic locking) that fetches again while up to `maxInFlight` completes of
 * earlier batches are still in flight, each fetch asking for the room left (at most 100). No handler,
 * no bound but `maxInFlight`. A complete that fails is retried, so no task waits out its lock.
 */
export function pipelined(e: Engine, maxInFlight: number): Contender {
  const http = poster(e);
  let running = false;
  let inFlight = 0;
  let loop: Promise<void> | undefined;
  let freed: (() => void) | undefined;
  const completeTask = async (id: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await http.post(`/external-task/${id}/complete`, { workerId: "ceiling" });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        log(`ceiling: complete failed, retrying (${error instanceof Error ? error.message : String(error)})`);
      }
    }
  };
  return {
    name: `(a) pipelined loop, ${maxInFlight} completes in flight`,
    settleMs: 1_000,
    async start(onTask) {
      running = true;
      loop = (async () => {
        while (running) {
          const room = maxInFlight - inFlight;
          // Fetch when a useful share of the window is free: a quarter of it, or at least one task.
          if (room < Math.max(1, Math.floor(maxInFlight / 4))) {
            await new Promise<void>((resolve) => {
              freed = resolve;
            });
            continue;
          }
          const tasks = (await http.post(
            "/external-task/fetchAndLock",
            fetchBody("ceiling", Math.min(100, room)),
          )) as RawTask[];
          for (const t of tasks) {
            onTask(t.businessKey);
            inFlight++;
            completeTask(t.id)
              .catch((error) => log(`ceiling: ${error instanceof Error ? error.message : String(error)}`))
              .finally(() => {
                inFlight--;
                freed?.();
                freed = undefined;
              });
          }
        }
      })();
    },
    async stop() {
      running = false;
      freed?.();
      await loop;
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
      http.close();
    },
    requests: http.requests,
  };
}

export function stock(e: Engine, name: string, options: Record<string, unknown>): Contender {
  let client: Client | undefined;
  let count = 0;
  return {
    name,
    // stop() only sets a flag: the long poll in flight (up to asyncResponseTimeout) still locks tasks.
    settleMs: 12_000,
    async start(onTask) {
      client = new Client({
        baseUrl: e.restUrl,
        interceptors: new BasicAuthInterceptor({ username: e.username, password: e.password }),
        ...options,
      });
      client.on("poll:start", () => count++);
      for (const event of ["complete:success", "complete:error"]) client.on(event, () => count++);
      client.subscribe(TOPIC, { lockDuration: 60_000 }, async ({ task, taskService }) => {
        onTask(task.businessKey);
        await taskService.complete(task);
      });
    },
    async stop() {
      client?.stop();
    },
    requests: () => count,
  };
}

/** This repository's runtime; `env` overrides its defaults (profiling runs), none for the table. */
export function ours(
  e: Engine,
  name = "(c) this runtime, defaults",
  env: Record<string, string> = {},
): Contender {
  let worker: Worker | undefined;
  const noop = defineTopic({
    topic: TOPIC,
    description: "no-op",
    input: z.object({}),
    outputs: [],
    bpmnErrors: [],
    lockDurationMs: 60_000,
    handler: async () => complete({}),
  }) as unknown as TopicDefinition;
  return {
    name,
    // stop() aborts the long poll, but the engine keeps a parked poll until its timeout (20 s) and
    // locks tasks for it if any arrive meanwhile: the next contender's backlog must not.
    settleMs: 21_000,
    async start(onTask) {
      const config = loadWorkerConfig({
        CAMUNDA_URL: e.restUrl,
        CAMUNDA_USERNAME: e.username,
        CAMUNDA_PASSWORD: e.password,
        ...env,
      });
      const tracked: TopicDefinition = {
        ...noop,
        handler: (input, ctx) => {
          onTask(ctx.businessKey ?? "");
          return noop.handler(input, ctx);
        },
      };
      const store = new MemoryIdempotencyStore();
      worker = new Worker(config, {
        topics: { [TOPIC]: tracked },
        policies: new IdempotentPolicyStore(store),
        notifier: new OutboxNotifier(store),
        logger: createLogger({ level: "silent" }),
        metrics: createMetrics({ defaultMetrics: false }),
      });
      await worker.start();
    },
    async stop() {
      await worker?.stop();
    },
    requests: () => (worker ? Object.values(worker.requestCounts).reduce((a, b) => a + b, 0) : 0),
  };
}

/** The Python client (camunda-external-task-client-python3) in its own process. */
export function pythonClient(
  e: Engine,
  python: string,
  name: string,
  config: Record<string, unknown>,
): Contender {
  let child: ReturnType<typeof spawn> | undefined;
  let stopping = false;
  let died: string | undefined;
  let stderr = "";
  const script = `
import sys, json
from camunda.external_task.external_task_worker import ExternalTaskWorker
config = json.loads(sys.argv[1])
def handle(task):
    print(task.get_business_key(), flush=True)
    return task.complete({})
ExternalTaskWorker(worker_id="py-bench", base_url=sys.argv[2], config=config).subscribe("${TOPIC}", handle)
`;
  return {
    name,
    // Killed mid long poll (its default asyncResponseTimeout is 30 s): the engine keeps it parked that long.
    settleMs: 31_000,
    async start(onTask) {
      const full = {
        auth_basic: { username: e.username, password: e.password },
        lockDuration: 60_000,
        ...config,
      };
      child = spawn(python, ["-c", script, JSON.stringify(full), e.restUrl], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stderr?.on("data", (chunk) => {
        stderr = (stderr + chunk).slice(-2000);
      });
      child.on("exit", (code) => {
        if (!stopping) died = `exited with ${code}: ${stderr.trim().split("\n").at(-1) ?? ""}`;
      });
      let buffer = "";
      child.stdout?.on("data", (chunk) => {
        buffer += chunk;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) if (line.trim()) onTask(line.trim());
      });
    },
    async stop() {
      stopping = true;
      child?.kill("SIGKILL");
    },
    requests: () => undefined,
    failure: () => died,
  };
}
