/**
 * The `## End-to-end` section of bench/RESULTS.md: per setting, the medians of its runs, the CPU
 * bound from the same runs' CPU per application and the share of it reached, history rows per
 * application, and the trade-offs against production. Other benchmarks own the other sections; only
 * this one is replaced.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../../test/support/repo.js";
import { historyTables } from "./database.js";
import { median } from "./measure.js";
import type { Driver, Setting } from "./settings.js";

export interface RunResult {
  setting: string;
  mode: Driver;
  run: number;
  applications: number;
  elapsedS: number;
  perMinute: number;
  cpu: {
    engine: number | undefined;
    postgres: number | undefined;
    workers: number | undefined;
    /** The benchmark process: starter and watcher, and the bare loop when it drives. */
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

export interface SettingResult {
  setting: Setting;
  runs: RunResult[];
  statements: boolean;
  /** Rows per application in each history table (database.ts). */
  historyRows: Record<string, number>;
  /** User operation log entries per application by entity and operation (database.ts). */
  operationLog?: Record<string, number>;
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
  /** Undefined on a server the benchmark did not start. */
  postgresMajor: number | undefined;
  write: boolean;
}

const heading = "## End-to-end";

const fmt = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);

/** Median over runs of a per-run figure. */
function med(results: RunResult[], pick: (r: RunResult) => number | undefined): number {
  return median(results.map(pick).filter((v): v is number => v !== undefined));
}

/** The client whose CPU counts in the bound: the workers process, or the bare loop (the benchmark process). */
const clientCpu = (r: RunResult) => (r.mode === "workers" ? r.cpu.workers : r.cpu.driver);

/** The figures of one setting that the tables and the text use. */
export function figures(result: SettingResult, cores: number) {
  const rs = result.runs;
  const perApp = (pick: (r: RunResult) => number | undefined, scale = 1000) =>
    med(rs, (r) => {
      const v = pick(r);
      return v === undefined ? undefined : (v / r.applications) * scale;
    });
  const engineMs = perApp((r) => r.cpu.engine);
  const postgresMs = perApp((r) => r.cpu.postgres);
  const clientMs = perApp(clientCpu);
  // The bound of each run from that run's own CPU per application; the share is ours over it.
  const totalMs = perApp(
    (r) => (r.cpu.engine ?? Number.NaN) + (r.cpu.postgres ?? Number.NaN) + (clientCpu(r) ?? Number.NaN),
  );
  const bound = med(rs, (r) => {
    const total =
      ((r.cpu.engine ?? Number.NaN) + (r.cpu.postgres ?? Number.NaN) + (clientCpu(r) ?? Number.NaN)) /
      r.applications;
    return (cores * 60) / total;
  });
  const share = med(rs, (r) => {
    const total =
      ((r.cpu.engine ?? Number.NaN) + (r.cpu.postgres ?? Number.NaN) + (clientCpu(r) ?? Number.NaN)) /
      r.applications;
    return (r.perMinute / ((cores * 60) / total)) * 100;
  });
  // The same share with the benchmark's own starter and watcher taken out of the machine's time:
  // what the platform loses to its own waits (ramp, tail, latencies), not to the driver.
  const shareOfRest = med(rs, (r) => {
    const own = (r.cpu.engine ?? Number.NaN) + (r.cpu.postgres ?? Number.NaN) + (clientCpu(r) ?? Number.NaN);
    const driver = r.mode === "workers" ? r.cpu.driver : 0;
    return (own / (cores * r.elapsedS - driver)) * 100;
  });
  return {
    shareOfRest,
    rate: med(rs, (r) => r.perMinute),
    each: rs.map((r) => fmt(r.perMinute, 0)).join(", "),
    engineMs,
    postgresMs,
    clientMs,
    totalMs,
    bound,
    share,
    busy: med(rs, (r) => (r.cpu.machineBusy / r.cpu.machineTotal) * 100),
    driverMs: perApp((r) => (r.mode === "workers" ? r.cpu.driver : undefined)),
    statements: result.statements ? perApp((r) => r.database?.statements, 1) : Number.NaN,
    execMs: result.statements ? perApp((r) => r.database?.execMs, 1) : Number.NaN,
    historyRows: Object.values(result.historyRows).reduce((a, b) => a + b, 0),
    requestMs: med(rs, (r) => r.workers?.requestMs),
    start: [
      med(rs, (r) => r.latencies["start instance"]?.medianMs),
      med(rs, (r) => r.latencies["start instance"]?.p95Ms),
    ],
    load: rs.map((r) => r.loadAverage),
  };
}

/** What each setting gives up against production, for the reader who must decide. */
const tradeOffs: Record<string, string> = {
  audit:
    "AUDIT keeps process, activity and task instances and each variable's last value, and drops everything FULL adds: every decision evaluation with its inputs and outputs (why an applicant was rated RED), the user operation log (who started each application, who retried, cancelled, reassigned or changed a variable in Cockpit or over REST), each variable's earlier values (historic details), the job and external task logs (every failure and retry), incident history and identity links (who was a candidate for a review). For an insurer the decision and operation records are audit evidence; this is why production stays on FULL.",
  "sync-decision":
    "Without asyncBefore the decision runs inside the validate-application complete: no job row, no acquisition, no job log, one transaction less. What it gives up: a failing evaluation (a missing input, a rule set without a match) then fails the worker's complete and comes back as a worker failure on validate-application with that task's retries, instead of an incident on the decision with the job's own retries where an operator fixes the input and retries just the decision.",
  "executor-2":
    "Two job executor threads, one per core, instead of Spring Boot's core 3 / max 10; the only job per application is the decision. Compare the rate and the machine's busy share: a setting that leaves the machine idle is latency-bound, not CPU-bound.",
  "executor-batch":
    "Up to 10 jobs per acquisition and a queue of 10 instead of 3, idle wait 1 s instead of 5 s. Compare the rate and the machine's busy share: a setting that leaves the machine idle is latency-bound, not CPU-bound.",
  bare: "The bare loop is not a production option: it shows the engine's and database's cost of the same work with no worker logic, so the difference is what the workers' request pattern adds on the engine side.",
  "bare-transient":
    "Transient outputs are not stored and not in history: applicationComplete, missingDocuments, vehicleClass, policyIssuedAt and notificationId would vanish from Cockpit and the audit trail (policy and notification records stay in the workers' store). The workers keep writing them as process variables.",
};

export function renderSection(results: SettingResult[], options: ReportOptions): string {
  const cores = options.cpus;
  const figs = results.map((r) => ({ result: r, f: figures(r, cores) }));
  const load = figs.flatMap(({ f }) => f.load);
  const header = `| | ${figs.map(({ result }) => `\`${result.setting.name}\``).join(" | ")} |`;
  const rule = `|---|${figs.map(() => "---:").join("|")}|`;
  const row = (label: string, cell: (f: ReturnType<typeof figures>, r: SettingResult) => string) =>
    `| ${label} | ${figs.map(({ f, result }) => cell(f, result)).join(" | ")} |`;
  const base = figs.find(({ result }) => result.setting.name === "full")?.f ?? figs[0]!.f;
  const lines = [
    heading,
    "",
    `Insurance applications per minute through the whole GREEN path (start, validate-application, the risk decision, calculate-premium, issue-policy, send-notification), against the CPU bound of the same run: applications/min ≤ cores × 60,000 ms / (engine + PostgreSQL + workers CPU ms per application). ${options.applications} applications per run, ${options.runs} run${options.runs === 1 ? "" : "s"} per setting after a warm-up of ${options.warmup}, medians; each setting on an engine (engine/ build, full JIT, 1 GB heap) and PostgreSQL ${options.postgresMajor ?? "(the CI server)"} database of its own, applications started ${options.startConcurrency} at a time. Measured ${new Date().toISOString().slice(0, 16)}Z on ${cores} CPUs (${options.cpuModel}), Node ${options.node}; load average ${fmt(Math.min(...load))} to ${fmt(Math.max(...load))} at the end of the runs (the benchmark's own engine, database and workers included).`,
    "",
    "Settings (production unless named):",
    "",
    ...figs.map(({ result }) => `- \`${result.setting.name}\`: ${result.setting.summary}.`),
    "",
    header,
    rule,
    row("**applications per minute (median)**", (f) => `**${fmt(f.rate, 0)}**`),
    row("each run", (f) => f.each),
    row("CPU bound, applications per minute", (f) => fmt(f.bound, 0)),
    row("**share of the CPU bound**", (f) => `**${fmt(f.share, 0)} %**`),
    row("share of the CPU the benchmark's starter and watcher leave", (f) => `${fmt(f.shareOfRest, 0)} %`),
    row("CPU ms per application: engine", (f) => fmt(f.engineMs, 1)),
    row("CPU ms per application: PostgreSQL", (f) => fmt(f.postgresMs, 1)),
    row("CPU ms per application: workers (bare: the loop)", (f) => fmt(f.clientMs, 1)),
    row("**CPU ms per application: total**", (f) => `**${fmt(f.totalMs, 1)}**`),
    row(
      "total against `full`",
      (f) =>
        `${f.totalMs >= base.totalMs ? "+" : ""}${fmt(((f.totalMs - base.totalMs) / base.totalMs) * 100, 0)} %`,
    ),
    row("benchmark's starter and watcher, CPU ms per application", (f) => fmt(f.driverMs, 1)),
    row("whole machine busy", (f) => `${fmt(f.busy, 0)} %`),
    row("SQL statements per application", (f) => fmt(f.statements, 0)),
    row("SQL execution ms per application", (f) => fmt(f.execMs, 1)),
    row("history rows per application", (f) => fmt(f.historyRows, 1)),
    row("REST start instance, median / p95 ms", (f) => `${fmt(f.start[0])} / ${fmt(f.start[1])}`),
    row("workers: engine request time, mean ms", (f) => fmt(f.requestMs)),
    "",
    "History rows per application, by table (what an auditor can read afterwards):",
    "",
    header,
    rule,
    ...Object.entries(historyTables).map(([table, what]) =>
      row(`${what} (\`${table}\`)`, (_, r) => fmt(r.historyRows[table], 1)),
    ),
    "",
  ];
  const opLog = figs.find(({ result }) => Object.keys(result.operationLog ?? {}).length > 0)?.result;
  if (opLog) {
    lines.push(
      `User operation log entries per application in \`${opLog.setting.name}\`: ${Object.entries(
        opLog.operationLog ?? {},
      )
        .map(([what, n]) => `${what} ${fmt(n, 2)}`)
        .join(", ")} (the release's deployment and any operator action add theirs).`,
      "",
    );
  }
  const full = figs.find(({ result }) => result.setting.name === "full");
  if (full) {
    const f = full.f;
    lines.push(
      `Against the real limit: with production settings the platform used ${fmt(f.totalMs, 0)} ms of CPU per application (engine ${fmt(f.engineMs, 0)}, PostgreSQL ${fmt(f.postgresMs, 0)}, workers ${fmt(f.clientMs, 0)}), so ${cores} cores bound it at ${fmt(f.bound, 0)} applications per minute; the workers made ${fmt(f.rate, 0)}, **${fmt(f.share, 0)} % of the bound** (goal 95 %), with the machine ${fmt(f.busy, 0)} % busy; of the CPU time the benchmark's own starter and watcher left, engine, PostgreSQL and workers used ${fmt(f.shareOfRest, 0)} %. What keeps it from 100 %: the benchmark's own starter and watcher (${fmt(f.driverMs, 1)} ms per application, on the same cores), other processes on the machine, and the ramp at the start and the tail at the end of a run when fewer applications are in flight than the cores can serve.`,
      "",
    );
  }
  const others = figs.filter(({ result }) => result.setting.name !== "full");
  if (others.length > 0) {
    lines.push("Trade-offs against `full`:", "");
    for (const { result, f } of others) {
      // A bare-loop variant compares with the bare loop, everything else with production.
      const anchorName = result.setting.name.startsWith("bare-") ? "bare" : "full";
      const anchor = figs.find(({ result: r }) => r.setting.name === anchorName)?.f ?? base;
      const delta = f.totalMs - anchor.totalMs;
      const sign = (v: number) => `${v >= 0 ? "+" : ""}${fmt(v, 1)}`;
      lines.push(
        `- \`${result.setting.name}\` against \`${anchor === base ? "full" : anchorName}\`: ${fmt(f.totalMs, 0)} ms CPU per application (${sign(delta)} ms: engine ${sign(f.engineMs - anchor.engineMs)}, PostgreSQL ${sign(f.postgresMs - anchor.postgresMs)}, client ${sign(f.clientMs - anchor.clientMs)}), ${fmt(f.rate, 0)} applications per minute against ${fmt(anchor.rate, 0)}. ${tradeOffs[result.setting.name] ?? ""}`.trimEnd(),
      );
    }
    lines.push("");
  }
  const top = figs[0]?.result.runs.at(-1)?.database?.top ?? [];
  if (top.length > 0) {
    lines.push(
      `Most expensive statements in the last \`${figs[0]!.result.setting.name}\` run (pg_stat_statements): ${top.map((t) => `\`${t.query.replace(/`/g, "'")}…\` (${t.calls} calls, ${fmt(t.execMs, 0)} ms)`).join("; ")}.`,
      "",
    );
  }
  lines.push(
    `Reproduce: \`node --import tsx bench/e2e/run.ts --settings ${results.map((r) => r.setting.name).join(",")} --applications ${options.applications} --runs ${options.runs} --warmup ${options.warmup}\` (needs Java 17, Maven and the project's PostgreSQL 16 from \`npm ci\`; one setting alone: \`--history audit\`, \`--decision sync\`, \`--engine-property camunda.bpm.job-execution.max-pool-size=2\`; see bench/e2e/README.md).`,
    "",
  );
  return lines.join("\n");
}

/** Replaces the End-to-end section of bench/RESULTS.md (or appends it), leaving every other section as it is. */
export function writeReport(results: SettingResult[], options: ReportOptions): string {
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
