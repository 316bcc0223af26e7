/**
 * Worker benchmark (not part of npm test): the local engine on a throwaway PostgreSQL, one backlog
 * of N tasks on a no-op topic per contender, drained one contender at a time, every contender once
 * per round, BENCH_ROUNDS rounds (medians reported):
 *   (a) the true ceiling: one pipelined fetcher, fetchAndLock(100) again while up to
 *       BENCH_CEILING_IN_FLIGHT completes are in flight, so the engine sets the pace, not the latency;
 *   (a') the sequential loop (one fetchAndLock(100), then its completes), the former "ceiling";
 *   (b) camunda-external-task-client-js 3.1 with its defaults, then with its best settings;
 *   (c) this repository's runtime with its defaults;
 *   (d) the Python camunda-external-task-client-python3 (the seed's language), when it is installed.
 * Then pickup latency (instance start → task locked) under a steady arrival rate.
 * Writes the figures to the "## Workers" section of bench/RESULTS.md.
 *
 *   node --import tsx bench/workers/run.ts            (BENCH_TASKS=2000, BENCH_RATE=20/s, BENCH_SECONDS=15)
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { BasicAuthInterceptor, Client } from "camunda-external-task-client-js";
import { z } from "zod";
import { type CamundaClient, createCamundaClient } from "#core/camunda/index.js";
import { findFreePort, startEngine, stopEngine } from "#core/engine/local-engine.js";
import { complete, defineTopic, type TopicDefinition } from "#workers/handler.js";
import { MemoryIdempotencyStore } from "#workers/ports/idempotency-store.js";
import { OutboxNotifier } from "#workers/ports/notifier.js";
import { IdempotentPolicyStore } from "#workers/ports/policy-store.js";
import { loadWorkerConfig } from "#workers/runtime/config.js";
import { createLogger } from "#workers/runtime/logger.js";
import { createMetrics } from "#workers/runtime/metrics.js";
import { Worker } from "#workers/runtime/worker.js";
import { engineDir, repoPath } from "../../test/support/repo.js";
import { startPostgres } from "./postgres.js";

const N = Number(process.env.BENCH_TASKS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const TOPIC = "bench-noop";
const PROCESS = "bench_noop";
const python = process.env.BENCH_PYTHON ?? "/tmp/pyclient/bin/python";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Completes the pipelined ceiling keeps in flight at most. */
const CEILING_IN_FLIGHT = Number(process.env.BENCH_CEILING_IN_FLIGHT ?? 300);

interface Engine {
  restUrl: string;
  username: string;
  password: string;
}

/** One contender: starts serving TOPIC, calls onTask(businessKey) when it holds a task, counts its requests. */
interface Contender {
  name: string;
  start(onTask: (businessKey: string) => void): Promise<void>;
  stop(): Promise<void>;
  requests(): number | undefined;
}

const log = (line: string) => console.error(`[bench] ${line}`);

function auth(e: Engine): string {
  return `Basic ${Buffer.from(`${e.username}:${e.password}`).toString("base64")}`;
}

/** fetchAndLock(100), then its completes in parallel, and again (the sequential loop, and the cleaner). */
function bare(e: Engine): Contender {
  let running = false;
  let count = 0;
  let loop: Promise<unknown> | undefined;
  const post = async (p: string, body: unknown) => {
    count++;
    const r = await fetch(`${e.restUrl}${p}`, {
      method: "POST",
      headers: { authorization: auth(e), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${p}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    name: "(a') sequential loop: fetchAndLock(100), then its completes",
    async start(onTask) {
      running = true;
      const one = async () => {
        while (running) {
          const tasks = (await post("/external-task/fetchAndLock", {
            workerId: "bare",
            maxTasks: 100,
            asyncResponseTimeout: 1000,
            topics: [{ topicName: TOPIC, lockDuration: 60_000 }],
          })) as { id: string; businessKey: string }[];
          for (const t of tasks) onTask(t.businessKey);
          await Promise.all(tasks.map((t) => post(`/external-task/${t.id}/complete`, { workerId: "bare" })));
        }
      };
      loop = one();
    },
    async stop() {
      running = false;
      await loop;
    },
    requests: () => count,
  };
}

/**
 * The true ceiling: one fetcher (concurrent fetches of one topic collide on the same rows and fail
 * with optimistic locking) that fetches the next batch while the previous batches' completes are still
 * in flight, up to `maxInFlight` completes at once: the engine, not the client's latency, sets the pace.
 */
function pipelined(e: Engine, maxInFlight: number): Contender {
  let running = false;
  let count = 0;
  let inFlight = 0;
  let loop: Promise<void> | undefined;
  let freed: (() => void) | undefined;
  const post = async (p: string, body: unknown) => {
    count++;
    const r = await fetch(`${e.restUrl}${p}`, {
      method: "POST",
      headers: { authorization: auth(e), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${p}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    name: `(a) true ceiling: pipelined fetchAndLock(100), up to ${maxInFlight} completes in flight`,
    async start(onTask) {
      running = true;
      loop = (async () => {
        while (running) {
          if (inFlight > maxInFlight - 100) {
            await new Promise<void>((resolve) => {
              freed = resolve;
            });
            continue;
          }
          const tasks = (await post("/external-task/fetchAndLock", {
            workerId: "ceiling",
            maxTasks: 100,
            asyncResponseTimeout: 1000,
            topics: [{ topicName: TOPIC, lockDuration: 60_000 }],
          })) as { id: string; businessKey: string }[];
          for (const t of tasks) {
            onTask(t.businessKey);
            inFlight++;
            post(`/external-task/${t.id}/complete`, { workerId: "ceiling" })
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
    },
    requests: () => count,
  };
}

function stock(e: Engine, name: string, options: Record<string, unknown>): Contender {
  let client: Client | undefined;
  let count = 0;
  return {
    name,
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

function ours(e: Engine): Contender {
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
    name: "(c) this runtime, defaults",
    async start(onTask) {
      const config = loadWorkerConfig({
        CAMUNDA_URL: e.restUrl,
        CAMUNDA_USERNAME: e.username,
        CAMUNDA_PASSWORD: e.password,
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

function pythonClient(e: Engine, name: string, config: Record<string, unknown>): Contender {
  let child: ReturnType<typeof spawn> | undefined;
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
    async start(onTask) {
      const full = {
        auth_basic: { username: e.username, password: e.password },
        lockDuration: 60_000,
        ...config,
      };
      child = spawn(python, ["-c", script, JSON.stringify(full), e.restUrl], {
        stdio: ["ignore", "pipe", "ignore"],
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
      child?.kill("SIGKILL");
    },
    requests: () => undefined,
  };
}

async function remaining(client: CamundaClient): Promise<number> {
  const { count } = await client.ok(
    client.api.GET("/external-task/count", { params: { query: { topicName: TOPIC } } }),
  );
  return count ?? 0;
}

async function createBacklog(client: CamundaClient, n: number, prefix: string): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: 16 }, async () => {
    while (next < n) {
      const i = next++;
      await client.ok(
        client.api.POST("/process-definition/key/{key}/start", {
          params: { path: { key: PROCESS } },
          body: { businessKey: `${prefix}-${i}` },
        }),
      );
    }
  });
  await Promise.all(workers);
}

interface DrainResult {
  name: string;
  seconds: number;
  throughput: number;
  requestsPerTask: number | undefined;
}

const DRAIN_LIMIT_MS = Number(process.env.BENCH_DRAIN_LIMIT_S ?? 300) * 1000;

async function drain(
  client: CamundaClient,
  e: Engine,
  contender: Contender,
  n: number,
): Promise<DrainResult> {
  await createBacklog(client, n, `drain-${contender.name.slice(1, 2)}-${Date.now()}`);
  const backlog = await remaining(client);
  if (backlog < n) throw new Error(`backlog was not created (${backlog} of ${n} tasks open)`);
  const started = performance.now();
  await contender.start(() => undefined);
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  let left = backlog;
  while (left > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = await remaining(client);
  }
  const seconds = (performance.now() - started) / 1000;
  await contender.stop();
  const requests = contender.requests();
  const done = backlog - left;
  if (left > 0) {
    log(
      `${contender.name}: gave up after ${seconds.toFixed(0)} s with ${left} tasks left; clearing the backlog`,
    );
    const cleaner = bare(e);
    await cleaner.start(() => undefined);
    while ((await remaining(client)) > 0) await new Promise((r) => setTimeout(r, 100));
    await cleaner.stop();
  }
  const result = {
    name:
      left > 0
        ? `${contender.name} (stopped after ${seconds.toFixed(0)} s: ${done} of ${n} done)`
        : contender.name,
    seconds,
    throughput: done / seconds,
    requestsPerTask: requests === undefined ? undefined : requests / n,
  };
  log(
    `${contender.name}: ${n} tasks in ${seconds.toFixed(1)} s = ${result.throughput.toFixed(0)} tasks/s, ${requests ?? "?"} requests`,
  );
  await settle();
  return result;
}

interface LatencyResult {
  name: string;
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Steady arrivals: RATE instances per second for SECONDS. Latency = from sending the start request
 * (an upper bound of the task's creation time) to the contender holding the locked task.
 */
async function pickup(client: CamundaClient, contender: Contender): Promise<LatencyResult> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await contender.start((businessKey) => {
    const t = sentAt.get(businessKey);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  await new Promise((r) => setTimeout(r, 2_000)); // let it reach its steady polling state
  const total = RATE * SECONDS;
  const prefix = `lat-${Date.now()}`;
  const begin = performance.now();
  const starts: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const key = `${prefix}-${i}`;
    sentAt.set(key, performance.now());
    starts.push(
      client.ok(
        client.api.POST("/process-definition/key/{key}/start", {
          params: { path: { key: PROCESS } },
          body: { businessKey: key },
        }),
      ),
    );
  }
  await Promise.all(starts);
  const deadline = Date.now() + 60_000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  while ((await remaining(client)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await contender.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  const result = {
    name: contender.name,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
  log(
    `${contender.name}: pickup p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (${sorted.length}/${total})`,
  );
  await settle();
  return result;
}

/**
 * Between contenders: the stock client's stop() only sets a flag, so its pending long poll (up to
 * 10 s here) still locks and runs tasks afterwards; wait it out, and let the engine settle.
 */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 12_000));
}

function writeResults(markdown: string): void {
  const file = repoPath("bench", "RESULTS.md");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
  const section = `## Workers\n\n${markdown.trim()}\n`;
  const pattern = /## Workers\n[\s\S]*?(?=\n## |$)/;
  const next = pattern.test(current)
    ? current.replace(pattern, section.trimEnd())
    : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(file, next.endsWith("\n") ? next : `${next}\n`);
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  log(`PostgreSQL on port ${pg.port}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "bench-engine-"));
  try {
    const handle = await startEngine({
      engineDir,
      port: await findFreePort(),
      db: "postgres",
      dataDir,
      env: {
        SPRING_DATASOURCE_URL: pg.jdbcUrl,
        SPRING_DATASOURCE_USERNAME: "postgres",
        SPRING_DATASOURCE_PASSWORD: "unused",
      },
      jvmArgs: ["-Xmx1g", "-XX:+UseParallelGC"],
      onProgress: log,
    });
    const e: Engine = { restUrl: handle.restUrl, ...handle.credentials };
    const client = createCamundaClient({
      baseUrl: e.restUrl,
      username: e.username,
      password: e.password,
      timeoutMs: 60_000,
    });
    await client.deploy({
      name: "bench-workers",
      resources: [
        {
          name: "bench_noop.bpmn",
          content: `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${PROCESS}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="noop" camunda:type="external" camunda:topic="${TOPIC}"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="noop" /><bpmn:sequenceFlow id="f2" sourceRef="noop" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`,
        },
      ],
    });

    log("warming up the engine");
    await drain(client, e, bare(e), 300);

    const stockBest = { maxTasks: 100, asyncResponseTimeout: 10_000, interval: 0 };
    const hasPython = existsSync(python);
    // Built afresh each round: a contender is started and stopped once.
    const drainContenders = (): Contender[] => [
      pipelined(e, CEILING_IN_FLIGHT),
      bare(e),
      stock(e, "(b) stock client, defaults", {}),
      stock(e, "(b) stock client, tuned", stockBest),
      ours(e),
      ...(hasPython ? [pythonClient(e, "(d) Python client, defaults", {})] : []),
    ];
    const pickupContenders = (): Contender[] => [
      stock(e, "(b) stock client, defaults", {}),
      stock(e, "(b) stock client, tuned", stockBest),
      ours(e),
    ];
    const drains = new Map<string, DrainResult[]>();
    const latencies = new Map<string, LatencyResult[]>();
    const load: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      load.push(loadavg()[0] ?? Number.NaN);
      log(`round ${round} of ${ROUNDS} (load average ${load.at(-1)?.toFixed(1)})`);
      for (const c of drainContenders()) {
        const r = await drain(client, e, c, N);
        drains.set(c.name, [...(drains.get(c.name) ?? []), r]);
      }
      for (const c of pickupContenders()) {
        const r = await pickup(client, c);
        latencies.set(c.name, [...(latencies.get(c.name) ?? []), r]);
      }
    }
    load.push(loadavg()[0] ?? Number.NaN);

    const med = (values: number[]) => {
      const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
      if (sorted.length === 0) return Number.NaN;
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    };
    const drainNames = [...drains.keys()];
    const tput = (name: string) => med((drains.get(name) ?? []).map((d) => d.throughput));
    const ceilingName = drainNames[0] ?? "";
    const ceiling = tput(ceilingName);
    const oursName = "(c) this runtime, defaults";
    const stockDefaultName = "(b) stock client, defaults";
    const stockTunedName = "(b) stock client, tuned";
    // Ratios per round (same minutes, same load), then their median.
    const ratio = (a: string, b: string) =>
      med(
        (drains.get(a) ?? []).map(
          (d, i) => d.throughput / ((drains.get(b) ?? [])[i]?.throughput ?? Number.NaN),
        ),
      );
    const rows = drainNames.map((name) => {
      const runs = drains.get(name) ?? [];
      const perTask = med(runs.map((d) => d.requestsPerTask ?? Number.NaN));
      return `| ${name} | ${tput(name).toFixed(0)} | ${runs.map((d) => d.throughput.toFixed(0)).join(", ")} | ${(100 * ratio(name, ceilingName)).toFixed(0)} % | ${Number.isFinite(perTask) ? perTask.toFixed(2) : "n/a"} |`;
    });
    const latencyRows = [...latencies.entries()].map(([name, runs]) => {
      const p50 = med(runs.map((l) => l.p50));
      const p99 = med(runs.map((l) => l.p99));
      const max = med(runs.map((l) => l.max));
      return `| ${name} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${max.toFixed(1)} | ${runs.map((l) => l.samples).join(", ")} |`;
    });
    const fmt = (v: number) => v.toFixed(1);
    const markdown = `
Run: ${new Date().toISOString().slice(0, 16)}Z on this machine (${cpus().length} cores, Node ${process.version}), local Camunda 7.23
engine (engine/, \`-Xmx1g\`) on a throwaway PostgreSQL 15, every contender in the same run, ${ROUNDS} rounds
(each round runs every contender once, in the order below); medians of the rounds. Load average (1 min)
at the start of each round and at the end: ${load.map(fmt).join(", ")} — the machine is shared with other
engineers' tests, so absolute figures move between runs; the ratios, taken within a round, are the figures
to quote. Reproduce with \`BENCH_TASKS=${N} BENCH_ROUNDS=${ROUNDS} node --import tsx bench/workers/run.ts\` (as root;
BENCH_RATE, BENCH_SECONDS, BENCH_CEILING_IN_FLIGHT override the other sizes).

Drain: a backlog of ${N} tasks on a no-op topic per contender, timed from the contender's start until the
engine reports no task left on the topic. REST calls per task counts fetchAndLock + complete (and, for
this runtime, its one start-up credentials check); the Python client is not instrumented${hasPython ? "" : " (and was not installed for this run)"}.

| contender | tasks/s (median) | each round | of the true ceiling (a) | REST calls per task |
|---|---:|---|---:|---:|
${rows.join("\n")}

This runtime with defaults: **${(100 * ratio(oursName, ceilingName)).toFixed(0)} % of the true ceiling**, **${ratio(oursName, stockTunedName).toFixed(2)}×** the tuned stock client, **${ratio(oursName, stockDefaultName).toFixed(1)}×** its defaults (medians of per-round ratios). Ceiling (a) median ${ceiling.toFixed(0)} tasks/s.
Stock "tuned": maxTasks 100, asyncResponseTimeout 10 s, interval 0.

Pickup latency (instance start request sent → task locked by the contender), ${RATE} new tasks per second
for ${SECONDS} s (an upper bound: it includes the start request itself); medians of the rounds' p50, p99, max:

| contender | p50 ms | p99 ms | max ms | samples per round |
|---|---:|---:|---:|---|
${latencyRows.join("\n")}

Notes: (a) is a true ceiling for a client on this machine: one fetcher that fetches the next 100 while up to
${CEILING_IN_FLIGHT} completes are in flight, no handler, no bound on what it holds (several fetchers at once
collide on the same rows: the engine's optimistic locking fails whole fetches). (a') is the sequential loop
earlier versions of this table called the ceiling; a client that completes in parallel passes it. The tuned
stock client runs everything it fetched at once (up to 100 per fetch, nothing bounds its concurrency);
this runtime runs at most WORKER_PARALLELISM (32) handlers and fetches WORKER_PREFETCH (16) ahead only
while tasks take under an eighth of their lock (workers/README.md, "Throughput"). The stock client's
stop() leaves its long poll running, so the benchmark waits 12 s after every contender.
`;
    writeResults(markdown);
    console.log(markdown);
  } finally {
    await stopEngine({ dataDir }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    pg.stop();
  }
}

await main();
process.exit(0);
