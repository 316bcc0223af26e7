/** The "## Workers" section of bench/RESULTS.md from one run's figures. */
import type { DrainResult, LatencyResult } from "./measure.js";

export interface WorkersRun {
  drains: Map<string, DrainResult[]>;
  latencies: Map<string, LatencyResult[]>;
  load: number[];
  tasks: number;
  rounds: number;
  rate: number;
  seconds: number;
  inFlight: number[];
  /** Why the Python contender is missing, if it is. */
  python: string | undefined;
  machine: string;
  postgresMajor: number;
}

export const OURS = "(c) this runtime, defaults";
export const STOCK_DEFAULTS = "(b) stock client, defaults";
export const STOCK_TUNED_NAME = "(b) stock client, tuned";

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function workersSection(run: WorkersRun): string {
  const { drains, latencies, load, tasks, rounds } = run;
  const names = [...drains.keys()];
  const at = (name: string, round: number) => drains.get(name)?.[round]?.throughput ?? Number.NaN;
  // The ceiling of a round: the best drain any contender made in it.
  const ceilings = Array.from({ length: rounds }, (_, r) => Math.max(...names.map((n) => at(n, r))));
  const best = Array.from({ length: rounds }, (_, r) => names.find((n) => at(n, r) === ceilings[r]) ?? "");
  const share = (name: string) => median(ceilings.map((c, r) => at(name, r) / c));
  const ratio = (a: string, b: string) => median(ceilings.map((_, r) => at(a, r) / at(b, r)));
  const pipelinedNames = names.filter((n) => n.startsWith("(a) pipelined"));
  const bestPipelined = pipelinedNames.reduce(
    (a, b) =>
      median(drains.get(b)?.map((d) => d.throughput) ?? []) >
      median(drains.get(a)?.map((d) => d.throughput) ?? [])
        ? b
        : a,
    pipelinedNames[0] ?? "",
  );
  const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
  const rows = names.map((name) => {
    const runs = drains.get(name) ?? [];
    const tput = median(runs.map((d) => d.throughput));
    const perTask = median(runs.map((d) => d.requestsPerTask ?? Number.NaN));
    const cpu = (k: "client" | "engine" | "postgres") => median(runs.map((d) => d.cpuMsPerTask[k]));
    const client = name.startsWith("(d)") ? "n/a" : fmt(cpu("client"), 2);
    return `| ${name} | ${fmt(tput)} | ${runs.map((d) => fmt(d.throughput)).join(", ")} | ${fmt(100 * share(name))} % | ${Number.isFinite(perTask) ? perTask.toFixed(2) : "n/a"} | ${client} | ${fmt(cpu("engine"), 1)} + ${fmt(cpu("postgres"), 1)} |`;
  });
  const latencyRows = [...latencies.entries()].map(([name, runs]) => {
    const m = (k: "p50" | "p99" | "max") => fmt(median(runs.map((l) => l[k])), 1);
    return `| ${name} | ${m("p50")} | ${m("p99")} | ${m("max")} | ${runs.map((l) => l.samples).join(", ")} |`;
  });
  const perRound = (a: string, b: string) =>
    ceilings.map((_, r) => (at(a, r) / at(b, r)).toFixed(2)).join(", ");
  return `
Run: ${new Date().toISOString().slice(0, 16)}Z on this machine (${run.machine}), local Camunda 7.23 engine
(engine/, \`-Xmx1g\`) on a throwaway PostgreSQL ${Number.isFinite(run.postgresMajor) ? run.postgresMajor : "(PG_BIN)"}, every contender in the same run, ${rounds} rounds (each
round runs every contender once, in the order below); medians of the rounds. Load average (1 min) at the
start of each round and at the end: ${load.map((l) => l.toFixed(1)).join(", ")}. Reproduce with
\`BENCH_TASKS=${tasks} BENCH_ROUNDS=${rounds} node --import tsx bench/workers/run.ts\` (as root, for the throwaway
PostgreSQL; BENCH_CEILING_IN_FLIGHT, BENCH_RATE, BENCH_SECONDS, BENCH_PICKUP=0 override the rest).

Drain: a backlog of ${tasks} tasks on a no-op topic per contender, timed from the contender's start until the
engine reports no task left on the topic. **The ceiling of a round is the best drain any contender made
in it** (every contender runs a no-op handler, so that is the most this engine, PostgreSQL and machine
gave any client); each contender's share is the median of its per-round shares. REST calls per task:
fetchAndLock + complete (and, for this runtime, its start-up credentials check). CPU ms per task: the
benchmark process (it hosts the Node contenders; its own polling of the task count is included) and the
engine + PostgreSQL, from /proc.${run.python ? ` The Python client is missing from this run: ${run.python}.` : ""}

| contender | tasks/s (median) | each round | of the ceiling | REST calls per task | client CPU ms/task | engine + PostgreSQL CPU ms/task |
|---|---:|---|---:|---:|---:|---:|
${rows.join("\n")}

Ceiling per round: ${ceilings.map((c, r) => `${fmt(c)} (${best[r]})`).join("; ")}. The best pipelined loop:
${bestPipelined}.

**This runtime with defaults: ${fmt(100 * share(OURS))} % of the ceiling, ${ratio(OURS, STOCK_TUNED_NAME).toFixed(2)}× the tuned stock
client (per round: ${perRound(OURS, STOCK_TUNED_NAME)}), ${ratio(OURS, STOCK_DEFAULTS).toFixed(1)}× its defaults.** Stock "tuned": maxTasks 100,
asyncResponseTimeout 10 s, interval 0 (it runs everything it fetched at once; nothing bounds it). This
runtime runs at most WORKER_PARALLELISM (32) handlers and holds at most WORKER_PREFETCH (64) more,
fetched ahead only while tasks are quick (workers/README.md, "Throughput").

Pickup latency (instance start request sent → task locked by the contender), ${run.rate} new tasks per second
for ${run.seconds} s (an upper bound: it includes the start request itself); medians of the rounds' p50, p99, max:

| contender | p50 ms | p99 ms | max ms | samples per round |
|---|---:|---:|---:|---|
${latencyRows.join("\n")}

Notes: the pipelined loops (a) are one fetcher that fetches again (up to 100, at most the room left)
while up to K completes are in flight, with no handler and nothing held beyond K; several fetchers at
once would collide on the same rows (the engine's optimistic locking fails whole fetches). (a') is the
sequential loop earlier versions of this table called the ceiling. A contender that stops with a long
poll parked in the engine (the stock client's stop() only sets a flag; this runtime aborts its poll,
but the engine keeps the parked request until its timeout and locks tasks for it if any arrive) is
followed by a pause of that timeout, so it cannot lock the next contender's tasks.
`;
}
