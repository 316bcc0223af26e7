/**
 * Cost of one poll of the business metrics exporter on the engine (not part of npm test). One local
 * engine (H2), a realistic open state per row (instances waiting in review for `underwriters`, others
 * waiting as external tasks over three topics, one incident), and per row three kinds of poll measured
 * alternately in the same run, each against the engine's idle CPU over the same interval:
 *   (a) ceiling: GET /version, the cheapest authenticated request (what any poll costs at least);
 *   (b) this exporter's collector (counts, grouped reports and one row per open topic or group);
 *   (c) anchor: a naive poller that lists every external task, user task, incident and running
 *       instance and counts them itself (what the figures cost when nothing is pushed to the engine).
 * Engine CPU is the JVM's user + system time from /proc/<pid>/stat over a series of polls, less the
 * engine's idle rate measured just before; the idle engine's CPU over one default poll interval
 * (15 s) is printed beside it. Writes the "## Metrics exporter" section of bench/RESULTS.md.
 *
 *   node --import tsx bench/metrics/run.ts        (BENCH_STATES=50,1000 BENCH_POLLS=20)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createCamundaClient } from "#core/camunda/index.js";
import { findFreePort, startEngine, stopEngine } from "#core/engine/local-engine.js";
import { EngineCollector } from "#core/metrics/collect.js";
import { countingFetch, mapLimited, type RequestCounter } from "#core/metrics/requests.js";
import { engineDir } from "../../test/support/repo.js";
import { writeResultsSection } from "../results.js";

const states = (process.env.BENCH_STATES ?? "50,1000").split(",").map(Number);
const polls = Number(process.env.BENCH_POLLS ?? 20);
const intervalMs = 15_000;
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU time (user + system, ms) the process has used so far: fields 14 and 15 of /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}
const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const topics = ["bench-a", "bench-b", "bench-c"];
const log = (line: string) => console.error(`[bench] ${line}`);

const bpmn = (key: string, topic: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${key}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" camunda:candidateGroups="underwriters"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="${topic}"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="work" />
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

interface Figures {
  requests: number;
  wallMs: number;
  bytes: number;
  engineCpuMs: number;
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bench-metrics-"));
  const handle = await startEngine({
    engineDir,
    port: await findFreePort(),
    db: "h2",
    dataDir,
    onProgress: log,
  });
  const cmdline = readFileSync(`/proc/${handle.pid}/cmdline`, "utf8");
  if (!/java/.test(cmdline)) throw new Error(`process ${handle.pid} is not the engine's JVM: ${cmdline}`);
  const engineCpuMs = () => cpuMsOf(handle.pid);
  const { username, password } = handle.credentials;
  const requests: RequestCounter = { count: 0 };
  let bytes = 0;
  // Wall time of each request by route (ids and query left out), while the exporter's poll is measured.
  let byRoute: Map<string, number[]> | undefined;
  let routesOn = false;
  const measuring: typeof fetch = async (input, init) => {
    const started = performance.now();
    const response = await fetch(input, init);
    const body = await response.arrayBuffer();
    bytes += body.byteLength;
    if (byRoute && routesOn) {
      const request = input instanceof Request ? input : new Request(input, init);
      const route = `${request.method} ${decodeURIComponent(new URL(request.url).pathname)
        .replace(/^.*\/engine-rest/, "")
        .replace(/\/[^/]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "/{id}")}`;
      byRoute.set(route, [...(byRoute.get(route) ?? []), performance.now() - started]);
    }
    // A 204 (complete, failure) may carry no body at all, not even an empty one.
    const empty = [101, 204, 205, 304].includes(response.status);
    return new Response(empty ? null : body, { status: response.status, headers: response.headers });
  };
  const client = createCamundaClient({
    baseUrl: handle.restUrl,
    username,
    password,
    fetch: countingFetch(requests, measuring),
  });
  try {
    for (const [index, topic] of topics.entries())
      await client.deploy({
        name: `bench-metrics-${index}`,
        resources: [{ name: `bench_${index}.bpmn`, content: bpmn(`bench_${index}`, topic) }],
      });
    const benchKeys = topics.map((_, i) => `bench_${i}`).join(",");

    const kinds: Array<{ name: string; poll: () => Promise<unknown> }> = [];
    const collector = new EngineCollector({ client, requests, metersIntervalMs: false });
    await collector.collect(); // the first poll only sets the throughput window
    kinds.push({
      name: "(a) ceiling: GET /version",
      poll: () => client.ok(client.api.GET("/version")),
    });
    kinds.push({ name: "(b) this exporter's poll", poll: () => collector.collect() });
    kinds.push({
      name: "(c) anchor: list everything, count client-side",
      poll: () =>
        Promise.all([
          client.ok(client.api.GET("/external-task")),
          client.ok(client.api.GET("/task")),
          client.ok(client.api.GET("/incident")),
          client.ok(client.api.GET("/process-instance")),
        ]),
    });

    const rows: Array<{
      state: number;
      idlePerIntervalMs: number;
      results: Map<string, Figures>;
      routes: Map<string, number[]>;
    }> = [];
    let started = 0;
    let incident = false;
    for (const state of states) {
      // Half of the new instances wait in review (user tasks for underwriters); the other half start
      // right before the external task and wait there for a worker.
      const toStart = state - started;
      log(`starting ${toStart} instances`);
      await mapLimited(
        Array.from({ length: toStart }, (_, i) => started + i),
        4,
        async (n) => {
          const key = `bench_${n % topics.length}`;
          const atTask = n % 2 === 1;
          await client.ok(
            client.api.POST("/process-definition/key/{key}/start", {
              params: { path: { key } },
              body: atTask
                ? ({ startInstructions: [{ type: "startBeforeActivity", activityId: "work" }] } as never)
                : {},
            }),
          );
        },
      );
      if (!incident) {
        // One external task fails for good: an incident, as operations would see one.
        const [task] = await client.ok(
          client.api.POST("/external-task/fetchAndLock", {
            body: {
              workerId: "bench-failing",
              maxTasks: 1,
              topics: [{ topicName: topics[0]!, lockDuration: 60_000 }],
            } as never,
          }),
        );
        if (!task?.id) throw new Error(`no ${topics[0]} task to fail`);
        await client.ok(
          client.api.POST("/external-task/{id}/failure", {
            params: { path: { id: task.id } },
            body: { workerId: "bench-failing", errorMessage: "benchmark incident", retries: 0 } as never,
          }),
        );
        incident = true;
      }
      started = state;
      const counts = await Promise.all([
        client.ok(
          client.api.GET("/process-instance/count", {
            params: { query: { processDefinitionKeyIn: benchKeys } as never },
          }),
        ),
        client.ok(
          client.api.GET("/task/count", {
            params: { query: { processDefinitionKeyIn: benchKeys } as never },
          }),
        ),
        client.ok(client.api.GET("/external-task/count")),
        client.ok(client.api.GET("/incident/count")),
      ]);
      const [instances, userTasks, externalTasks, incidents] = counts.map((c) => c.count ?? 0);
      log(
        `state: ${instances} instances, ${userTasks} user tasks, ${externalTasks} external tasks, ${incidents} incidents`,
      );

      const results = new Map<
        string,
        { requests: number[]; wall: number[]; bytes: number[]; cpu: number[] }
      >();
      for (const kind of kinds) results.set(kind.name, { requests: [], wall: [], bytes: [], cpu: [] });
      const idle: number[] = [];
      for (let round = 0; round < 3; round++) {
        // The engine's idle rate (job acquisition, meters, GC) just before the round, subtracted below.
        const idleStart = engineCpuMs();
        const i0 = performance.now();
        await sleepMs(5_000);
        const idleRate = (engineCpuMs() - idleStart) / (performance.now() - i0);
        idle.push(idleRate * intervalMs);
        for (const kind of kinds) {
          const figures = results.get(kind.name)!;
          const cpuBefore = engineCpuMs();
          const t0 = performance.now();
          for (let i = 0; i < polls; i++) {
            const r0 = requests.count;
            const b0 = bytes;
            const p0 = performance.now();
            if (kind.name.startsWith("(b)")) byRoute ??= new Map();
            routesOn = kind.name.startsWith("(b)");
            await kind.poll();
            routesOn = false;
            figures.wall.push(performance.now() - p0);
            figures.requests.push(requests.count - r0);
            figures.bytes.push(bytes - b0);
          }
          const elapsed = performance.now() - t0;
          const cpuMs = engineCpuMs() - cpuBefore - idleRate * elapsed;
          figures.cpu.push(Math.max(0, cpuMs / polls));
        }
      }
      const summary = new Map<string, Figures>();
      for (const [name, f] of results)
        summary.set(name, {
          requests: median(f.requests),
          wallMs: median(f.wall),
          bytes: median(f.bytes),
          engineCpuMs: median(f.cpu),
        });
      rows.push({ state, idlePerIntervalMs: median(idle), results: summary, routes: byRoute ?? new Map() });
      byRoute = undefined;
      log(
        `state ${state}: ${JSON.stringify(Object.fromEntries(summary))}, idle ${median(idle).toFixed(0)} ms per 15 s`,
      );
    }

    const lines = [
      "## Metrics exporter",
      "",
      `Cost of one poll on the engine, by open state: N running instances, half waiting in review for \`underwriters\`, half waiting as external tasks over ${topics.length} topics, one incident. ${polls} polls per kind and round, 3 rounds alternating, medians. Engine CPU: the JVM's user + system time from /proc/<pid>/stat (${(1000 / clockTicks).toFixed(0)} ms ticks) over the ${polls} polls, less the engine's idle rate measured just before each round; the anchor beside it is the idle engine's own CPU over one default poll interval (15 s). One local engine (engine/ build, H2), client on the same machine. Measured ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} CPUs shared with other work, Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)} at the end (compare columns, not days).`,
      "",
      "| running instances | kind | REST requests per poll | wall ms (median) | bytes received | engine CPU ms per poll | idle engine CPU ms per 15 s |",
      "|---:|---|---:|---:|---:|---:|---:|",
    ];
    for (const { state, idlePerIntervalMs, results } of rows)
      for (const [name, f] of results)
        lines.push(
          `| ${state} | ${name} | ${f.requests} | ${f.wallMs.toFixed(1)} | ${Math.round(f.bytes)} | ${f.engineCpuMs.toFixed(1)} | ${idlePerIntervalMs.toFixed(0)} |`,
        );
    for (const { state, idlePerIntervalMs, results, routes } of rows) {
      const o = results.get("(b) this exporter's poll");
      const a = results.get("(c) anchor: list everything, count client-side");
      if (!o || !a) continue;
      const slowest = [...routes]
        .map(([route, times]) => ({ route, ms: median(times), calls: times.length }))
        .sort((x, y) => y.ms - x.ms)
        .slice(0, 4)
        .map((r) => `\`${r.route}\` ${r.ms.toFixed(0)} ms`)
        .join(", ");
      lines.push(
        "",
        `${state} instances: one exporter poll costs the engine ${o.engineCpuMs.toFixed(1)} ms CPU in ${o.requests} requests (${(o.engineCpuMs / Math.max(idlePerIntervalMs, 0.1)).toFixed(1)}× the idle engine's ${idlePerIntervalMs.toFixed(0)} ms per 15 s interval, ${((o.engineCpuMs / intervalMs) * 100).toFixed(2)} % of one core at the default interval); listing everything costs ${a.engineCpuMs.toFixed(1)} ms (exporter / listing: ${(o.engineCpuMs / Math.max(a.engineCpuMs, 0.1)).toFixed(1)}× the CPU, ${(o.bytes / Math.max(a.bytes, 1)).toFixed(3)}× the bytes). Slowest requests of the exporter's poll (median wall, requests run in parallel): ${slowest}.`,
      );
    }
    lines.push(
      "",
      "Reproduce: `node --import tsx bench/metrics/run.ts` (`BENCH_STATES=50,1000 BENCH_POLLS=20`)",
    );
    writeResultsSection("Metrics exporter", lines.join("\n"));
    console.log(lines.join("\n"));
  } finally {
    await stopEngine({ dataDir });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
