/**
 * The `## End-to-end` section of bench/RESULTS.md: medians of the alternating runs, their ratio, and
 * where the time goes. Other benchmarks own the other sections; only this one is replaced.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../../test/support/repo.js";
import { median } from "./measure.js";

export interface RunResult {
  mode: "bare" | "workers";
  run: number;
  applications: number;
  elapsedS: number;
  perMinute: number;
  cpu: {
    engine: number | undefined;
    postgres: number | undefined;
    workers: number | undefined;
    driver: number;
    machineBusy: number;
    machineTotal: number;
  };
  latencies: Record<string, { count: number; medianMs: number; p95Ms: number }>;
  batchSizes?: number[];
  database:
    | { statements: number; execMs: number; top: { calls: number; execMs: number; query: string }[] }
    | undefined;
  workers:
    | { taskMsByTopic: Record<string, number>; tasks: number; requestMs: number; requests: number }
    | undefined;
  loadAverage: number;
}

export interface ReportOptions {
  applications: number;
  runs: number;
  warmup: number;
  concurrency: number;
  startConcurrency: number;
  cpus: number;
  cpuModel: string;
  node: string;
  statements: boolean;
  write: boolean;
}

const heading = "## End-to-end";

const fmt = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);

/** Median over the runs of one mode of a per-run figure. */
function med(results: RunResult[], pick: (r: RunResult) => number | undefined): number {
  return median(results.map(pick).filter((v): v is number => v !== undefined));
}

export function renderSection(results: RunResult[], options: ReportOptions): string {
  const bare = results.filter((r) => r.mode === "bare");
  const workers = results.filter((r) => r.mode === "workers");
  const bareRate = med(bare, (r) => r.perMinute);
  const workersRate = med(workers, (r) => r.perMinute);
  const perApp = (rs: RunResult[], pick: (r: RunResult) => number | undefined, scale = 1000) =>
    med(rs, (r) => {
      const v = pick(r);
      return v === undefined ? undefined : (v / r.applications) * scale;
    });
  const share = (rs: RunResult[], pick: (r: RunResult) => number | undefined) =>
    med(rs, (r) => {
      const v = pick(r);
      return v === undefined ? undefined : (v / r.cpu.machineTotal) * 100;
    });
  const latency = (rs: RunResult[], op: string) => {
    const m = med(rs, (r) => r.latencies[op]?.medianMs);
    const p = med(rs, (r) => r.latencies[op]?.p95Ms);
    return Number.isFinite(m) ? `${fmt(m)} / ${fmt(p)}` : "n/a";
  };
  const row = (label: string, b: string, w: string) => `| ${label} | ${b} | ${w} |`;
  const topics = ["validate-application", "calculate-premium", "issue-policy", "send-notification"];
  const taskMs = (topic: string) => med(workers, (r) => r.workers?.taskMsByTopic[topic]);
  const batch = med(bare, (r) => (r.batchSizes?.length ? median(r.batchSizes) : undefined));
  const load = results.map((r) => r.loadAverage);

  const lines = [
    heading,
    "",
    `Insurance applications per minute through the whole GREEN path (start, validate-application, the risk decision as an async job, calculate-premium, issue-policy, send-notification), ${options.applications} applications per run, ${options.runs} runs of each kind alternating after a warm-up of ${options.warmup}; medians. One local engine (engine/ build, full JIT, 1 GB heap) on PostgreSQL 15 (a private throwaway server), started ${options.startConcurrency} at a time; the bare loop completes up to ${options.concurrency} tasks at a time, the workers' default parallelism. Measured ${new Date().toISOString().slice(0, 16)}Z on ${options.cpus} CPUs (${options.cpuModel}), Node ${options.node}; the machine is shared and was busy (load average ${fmt(Math.min(...load))} to ${fmt(Math.max(...load))} during the runs), so compare the two columns, not absolute figures across days.`,
    "",
    "| | bare REST loop (engine ceiling) | production workers (defaults) |",
    "|---|---:|---:|",
    row("**applications per minute (median)**", `**${fmt(bareRate, 0)}**`, `**${fmt(workersRate, 0)}**`),
    row(
      "each run",
      bare.map((r) => fmt(r.perMinute, 0)).join(", "),
      workers.map((r) => fmt(r.perMinute, 0)).join(", "),
    ),
    row("ratio to the ceiling", "100 %", `**${fmt((workersRate / bareRate) * 100, 0)} %**`),
    row(
      "engine CPU ms per application",
      fmt(
        perApp(bare, (r) => r.cpu.engine),
        0,
      ),
      fmt(
        perApp(workers, (r) => r.cpu.engine),
        0,
      ),
    ),
    row(
      "PostgreSQL CPU ms per application",
      fmt(
        perApp(bare, (r) => r.cpu.postgres),
        0,
      ),
      fmt(
        perApp(workers, (r) => r.cpu.postgres),
        0,
      ),
    ),
    row(
      "client CPU ms per application (bare loop / workers process)",
      fmt(
        perApp(bare, (r) => r.cpu.driver),
        0,
      ),
      fmt(
        perApp(workers, (r) => r.cpu.workers),
        0,
      ),
    ),
    row(
      "share of the machine's CPU: engine / PostgreSQL / client",
      `${fmt(
        share(bare, (r) => r.cpu.engine),
        0,
      )} / ${fmt(
        share(bare, (r) => r.cpu.postgres),
        0,
      )} / ${fmt(
        share(bare, (r) => r.cpu.driver),
        0,
      )} %`,
      `${fmt(
        share(workers, (r) => r.cpu.engine),
        0,
      )} / ${fmt(
        share(workers, (r) => r.cpu.postgres),
        0,
      )} / ${fmt(
        share(workers, (r) => r.cpu.workers),
        0,
      )} %`,
    ),
    row(
      "whole machine busy",
      `${fmt(
        share(bare, (r) => r.cpu.machineBusy),
        0,
      )} %`,
      `${fmt(
        share(workers, (r) => r.cpu.machineBusy),
        0,
      )} %`,
    ),
    row(
      "SQL statements per application",
      options.statements
        ? fmt(
            perApp(bare, (r) => r.database?.statements, 1),
            0,
          )
        : "n/a",
      options.statements
        ? fmt(
            perApp(workers, (r) => r.database?.statements, 1),
            0,
          )
        : "n/a",
    ),
    row(
      "SQL execution ms per application",
      options.statements ? fmt(perApp(bare, (r) => r.database?.execMs, 1)) : "n/a",
      options.statements ? fmt(perApp(workers, (r) => r.database?.execMs, 1)) : "n/a",
    ),
    row(
      "REST start instance, median / p95 ms",
      latency(bare, "start instance"),
      latency(workers, "start instance"),
    ),
    row("REST complete, median / p95 ms", latency(bare, "complete"), "see workers' request time"),
    row(
      "REST fetchAndLock returning tasks, median / p95 ms",
      latency(bare, "fetchAndLock (non-empty)"),
      "n/a (long poll)",
    ),
    row("tasks per fetchAndLock (median)", fmt(batch, 0), "n/a"),
    row(
      "workers: engine request time, mean ms (complete and other non-poll calls)",
      "",
      fmt(med(workers, (r) => r.workers?.requestMs)),
    ),
    ...topics.map((topic) => row(`workers: ${topic}, lock to accepted, mean ms`, "", fmt(taskMs(topic)))),
    "",
  ];
  const top = workers.at(-1)?.database?.top ?? [];
  if (top.length > 0) {
    lines.push(
      `Most expensive statements in the last workers run (pg_stat_statements): ${top.map((t) => `\`${t.query.replace(/`/g, "'")}…\` (${t.calls} calls, ${fmt(t.execMs, 0)} ms)`).join("; ")}.`,
      "",
    );
  }
  const engineMs = perApp(workers, (r) => r.cpu.engine);
  const postgresMs = perApp(workers, (r) => r.cpu.postgres);
  const workersMs = perApp(workers, (r) => r.cpu.workers);
  const platformMs = engineMs + postgresMs + workersMs;
  const ours = share(workers, (r) => (r.cpu.engine ?? 0) + (r.cpu.postgres ?? 0) + (r.cpu.workers ?? 0));
  const taskMean = med(workers, (r) => {
    const values = Object.values(r.workers?.taskMsByTopic ?? {}).filter(Number.isFinite);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
  });
  const requestMean = med(workers, (r) => r.workers?.requestMs);
  lines.push(
    `Where the time goes (workers runs, CPU per application): the engine ${fmt(engineMs, 0)} ms, PostgreSQL ${fmt(postgresMs, 0)} ms (${
      options.statements
        ? `${fmt(
            perApp(workers, (r) => r.database?.statements, 1),
            0,
          )} SQL statements, ${fmt(perApp(workers, (r) => r.database?.execMs, 1))} ms executing them`
        : "statement statistics not available on this server"
    }), the workers ${fmt(workersMs, 0)} ms: the engine and its database do ${fmt(((engineMs + postgresMs) / platformMs) * 100, 0)} % of the work, the workers ${fmt((workersMs / platformMs) * 100, 0)} %. Of a task's time from lock to accepted (mean ${fmt(taskMean, 0)} ms) the complete request to the engine takes ${fmt(requestMean, 0)} ms; the handlers are the rest. Engine, database and workers together got ${fmt(ours, 0)} % of the machine's CPU while it was fully busy, so the absolute rates are bounded by that share; the ratio between the columns is the figure to quote.`,
    "",
    "How to read it: the bare loop does the same engine work per application as the workers (same topics, same fetched variables, same output variable names) without validation, handlers, policy store or logging, so its rate is what this engine and database can do on this machine; the ratio is what the production workers keep of it. CPU per application shows where the time goes: the engine (REST, BPMN execution, the async decision job), PostgreSQL, and the client side.",
    "",
    `Reproduce: \`node --import tsx bench/e2e/run.ts --applications ${options.applications} --runs ${options.runs}\` (needs Java 17, Maven and PostgreSQL server binaries; 6 to 10 minutes here).`,
    "",
  );
  return lines.join("\n");
}

/** Replaces the End-to-end section of bench/RESULTS.md (or appends it), leaving every other section as it is. */
export function writeReport(results: RunResult[], options: ReportOptions): string {
  const section = renderSection(results, options);
  if (!options.write) return section;
  const file = path.join(repoRoot, "bench", "RESULTS.md");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = current.indexOf(`\n${heading}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf("\n## ", start + heading.length + 1);
    next = `${current.slice(0, start + 1)}${section}${after < 0 ? "" : `\n${current.slice(after + 1)}`}`;
  }
  writeFileSync(file, `${next.trimEnd()}\n`);
  return section;
}
