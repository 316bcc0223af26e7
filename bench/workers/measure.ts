/**
 * What the worker benchmark measures: the engine on a throwaway PostgreSQL with the no-op process
 * deployed, a drain (backlog of N tasks, timed until the engine reports none left), and pickup latency
 * under steady arrivals. CPU is read per drain: this process's (the in-process contenders) and the
 * engine's and PostgreSQL's from /proc, so a figure says where the time went.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CamundaClient, createCamundaClient } from "#core/camunda/index.js";
import { findFreePort, startEngine, stopEngine } from "#core/engine/local-engine.js";
import { engineDir } from "../../test/support/repo.js";
import { type Contender, type Engine, log, sequential, TOPIC } from "./contenders.js";
import { startPostgres } from "./postgres.js";

export const PROCESS = "bench_noop";

export interface Bench {
  e: Engine;
  client: CamundaClient;
  enginePid: number;
  postgresPid: number;
  /** PostgreSQL's major version (NaN when PG_BIN chose the server). */
  postgresMajor: number;
  stop(): Promise<void>;
}

export async function startBench(): Promise<Bench> {
  const pg = await startPostgres();
  log(`PostgreSQL on port ${pg.port}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "bench-engine-"));
  const stop = async () => {
    await stopEngine({ dataDir }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    pg.stop();
  };
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
    return { e, client, enginePid: handle.pid, postgresPid: pg.pid, postgresMajor: pg.major, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** CPU seconds a process (and its threads) used so far, from /proc/<pid>/stat; 0 when unreadable. */
function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The benchmark's PostgreSQL now (its main process and that one's children): pid → CPU seconds so far. */
function postgresCpu(mainPid: number): Map<number, number> {
  const cpu = new Map<number, number>([[mainPid, processCpuSeconds(mainPid)]]);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
      if (ppid === mainPid) cpu.set(Number(entry), processCpuSeconds(Number(entry)));
    } catch {
      // the process ended meanwhile
    }
  }
  return cpu;
}

/** CPU seconds PostgreSQL used since `before` (backends started since count from zero; ended ones are lost). */
function postgresCpuSince(mainPid: number, before: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of postgresCpu(mainPid)) total += seconds - (before.get(pid) ?? 0);
  return total;
}

export async function remaining(client: CamundaClient): Promise<number> {
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

export interface DrainResult {
  name: string;
  seconds: number;
  throughput: number;
  requestsPerTask: number | undefined;
  /** CPU ms per task: this process (in-process contenders; the benchmark's own polling included), engine, PostgreSQL. */
  cpuMsPerTask: { client: number; engine: number; postgres: number };
}

const DRAIN_LIMIT_MS = Number(process.env.BENCH_DRAIN_LIMIT_S ?? 300) * 1000;

export async function drain(bench: Bench, contender: Contender, n: number): Promise<DrainResult> {
  const { client, e, enginePid } = bench;
  await createBacklog(client, n, `drain-${Date.now()}`);
  const backlog = await remaining(client);
  if (backlog < n) throw new Error(`backlog was not created (${backlog} of ${n} tasks open)`);
  const cpu0 = {
    client: process.cpuUsage(),
    engine: processCpuSeconds(enginePid),
    pg: postgresCpu(bench.postgresPid),
  };
  const started = performance.now();
  const seen = new Set<string>();
  let received = 0;
  await contender.start((key) => {
    received++;
    seen.add(key);
  });
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  let left = backlog;
  const trace: string[] = [];
  let nextTrace = started + 1000;
  let nextCount = started + 1000;
  // The engine is asked for the count (which costs it CPU) once a second while tasks are still being
  // handed out, and every 25 ms once every task has been: the end is timed closely, the drain not slowed.
  while (left > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    const failure = contender.failure?.();
    if (failure) {
      log(`${contender.name}: ${failure}`);
      break;
    }
    const now = performance.now();
    if (seen.size < backlog && now < nextCount) continue;
    nextCount = now + 1000;
    left = await remaining(client);
    if (now >= nextTrace) {
      trace.push(`${left}/${seen.size}`);
      nextTrace += 1000;
    }
  }
  if (process.env.BENCH_TRACE)
    log(`  left/handed out each second: ${trace.join(" ")}; received ${received}, distinct ${seen.size}`);
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(cpu0.client);
  const engineCpu = processCpuSeconds(enginePid) - cpu0.engine;
  const pgCpu = postgresCpuSince(bench.postgresPid, cpu0.pg);
  await contender.stop();
  const requests = contender.requests();
  const done = backlog - left;
  if (left > 0) {
    log(
      `${contender.name}: gave up after ${seconds.toFixed(0)} s with ${left} tasks left; clearing the backlog`,
    );
    const cleaner = sequential(e);
    await cleaner.start(() => undefined);
    while ((await remaining(client)) > 0) await new Promise((r) => setTimeout(r, 100));
    await cleaner.stop();
  }
  const perTask = (s: number) => (1000 * s) / Math.max(1, done);
  const result: DrainResult = {
    name:
      left > 0
        ? `${contender.name} (stopped after ${seconds.toFixed(0)} s: ${done} of ${n} done)`
        : contender.name,
    seconds,
    throughput: done / seconds,
    requestsPerTask: requests === undefined ? undefined : requests / n,
    cpuMsPerTask: {
      client: perTask((clientCpu.user + clientCpu.system) / 1e6),
      engine: perTask(engineCpu),
      postgres: perTask(pgCpu),
    },
  };
  const c = result.cpuMsPerTask;
  log(
    `${contender.name}: ${n} tasks in ${seconds.toFixed(1)} s = ${result.throughput.toFixed(0)} tasks/s, ${requests ?? "?"} requests, CPU ms/task client ${c.client.toFixed(2)} engine ${c.engine.toFixed(2)} pg ${c.postgres.toFixed(2)}`,
  );
  await sleepMs(contender.settleMs);
  return result;
}

export interface LatencyResult {
  name: string;
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Steady arrivals: `rate` instances per second for `seconds`. Latency = from sending the start request
 * (an upper bound of the task's creation time) to the contender holding the locked task.
 */
export async function pickup(
  bench: Bench,
  contender: Contender,
  rate: number,
  seconds: number,
): Promise<LatencyResult> {
  const { client } = bench;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await contender.start((businessKey) => {
    const t = sentAt.get(businessKey);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  await sleepMs(2_000); // let it reach its steady polling state
  const total = rate * seconds;
  const prefix = `lat-${Date.now()}`;
  const begin = performance.now();
  const starts: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleepMs(wait);
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
  while (latencies.length < total && Date.now() < deadline) await sleepMs(100);
  while ((await remaining(client)) > 0 && Date.now() < deadline) await sleepMs(100);
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
  await sleepMs(contender.settleMs);
  return result;
}
