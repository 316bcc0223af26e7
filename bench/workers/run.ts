/**
 * Worker benchmark (not part of npm test): the local engine on a throwaway PostgreSQL, one backlog
 * of N tasks on a no-op topic per contender, drained one contender at a time, every contender once
 * per round, BENCH_ROUNDS rounds (medians reported):
 *   (a) pipelined loops: one fetcher that fetches again while up to K completes are in flight, for each
 *       K in BENCH_CEILING_IN_FLIGHT, so the engine, not the client's latency, sets the pace;
 *   (a') the sequential loop (one fetchAndLock(100), then its completes), the former "ceiling";
 *   (b) camunda-external-task-client-js 3.1 with its defaults, then with its best settings;
 *   (c) this repository's runtime with its defaults;
 *   (d) the Python camunda-external-task-client-python3 (the seed's language) with its defaults.
 * The ceiling of a round is the best drain any contender made in it (every one runs a no-op handler);
 * each contender is reported as a share of it. Then pickup latency (instance start → task locked) under
 * a steady arrival rate. Writes the figures to the "## Workers" section of bench/RESULTS.md.
 *
 *   node --import tsx bench/workers/run.ts     (BENCH_TASKS=600, BENCH_ROUNDS=3, BENCH_RATE=20/s, BENCH_SECONDS=10)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { repoPath } from "../../test/support/repo.js";
import { type Contender, log, ours, pipelined, pythonClient, sequential, stock } from "./contenders.js";
import { type DrainResult, drain, type LatencyResult, pickup, startBench } from "./measure.js";
import { pythonClient as installPythonClient } from "./python-client.js";
import { workersSection } from "./report.js";

const N = Number(process.env.BENCH_TASKS ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const IN_FLIGHT = (process.env.BENCH_CEILING_IN_FLIGHT ?? "8,16,32,64").split(",").map(Number);
const WITH_PICKUP = process.env.BENCH_PICKUP !== "0";

export const STOCK_TUNED = { maxTasks: 100, asyncResponseTimeout: 10_000, interval: 0 };

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
  const py = installPythonClient();
  if ("missing" in py) log(`the Python contender is left out: ${py.missing}`);
  const bench = await startBench();
  // Interrupted (Ctrl-C, a time limit): the engine and PostgreSQL go with the run.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the engine and PostgreSQL`);
      void bench.stop().finally(() => process.exit(130));
    });
  }
  try {
    const { e } = bench;
    log("warming up the engine");
    await drain(bench, sequential(e), 300);
    // Built afresh each round: a contender is started and stopped once.
    const drainContenders = (): Contender[] => [
      ...IN_FLIGHT.map((k) => pipelined(e, k)),
      sequential(e),
      stock(e, "(b) stock client, defaults", {}),
      stock(e, "(b) stock client, tuned", STOCK_TUNED),
      ours(e),
      ...("python" in py ? [pythonClient(e, py.python, "(d) Python client, defaults", {})] : []),
    ];
    const pickupContenders = (): Contender[] => [
      stock(e, "(b) stock client, defaults", {}),
      stock(e, "(b) stock client, tuned", STOCK_TUNED),
      ours(e),
    ];
    const drains = new Map<string, DrainResult[]>();
    const latencies = new Map<string, LatencyResult[]>();
    const load: number[] = [];
    // The section is written after every round: a run cut short keeps the rounds it finished.
    const write = (done: number) => {
      const markdown = workersSection({
        drains,
        latencies,
        load: [...load, loadavg()[0] ?? Number.NaN],
        tasks: N,
        rounds: done,
        rate: RATE,
        seconds: SECONDS,
        inFlight: IN_FLIGHT,
        python: "missing" in py ? py.missing : undefined,
        machine: `${cpus().length} cores, Node ${process.version}`,
        postgresMajor: bench.postgresMajor,
      });
      writeResults(markdown);
      return markdown;
    };
    let markdown = "";
    for (let round = 1; round <= ROUNDS; round++) {
      load.push(loadavg()[0] ?? Number.NaN);
      log(`round ${round} of ${ROUNDS} (load average ${load.at(-1)?.toFixed(1)})`);
      for (const c of drainContenders()) {
        const r = await drain(bench, c, N);
        drains.set(c.name, [...(drains.get(c.name) ?? []), r]);
      }
      if (WITH_PICKUP) {
        for (const c of pickupContenders()) {
          const r = await pickup(bench, c, RATE, SECONDS);
          latencies.set(c.name, [...(latencies.get(c.name) ?? []), r]);
        }
      }
      markdown = write(round);
      log(`round ${round} written to bench/RESULTS.md`);
    }
    console.log(markdown);
  } finally {
    await bench.stop();
  }
}

await main();
process.exit(0);
