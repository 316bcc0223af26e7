/**
 * End-to-end throughput: insurance applications per minute through the whole GREEN path (validate,
 * decision, premium, policy, notification; all automatic) on the local engine with PostgreSQL 16,
 * with the production workers at their defaults, against the CPU bound of the same run:
 * cores × 60,000 ms / (engine + PostgreSQL + workers CPU ms per application). Each setting
 * (settings.ts: history level, async decision, job executor, bare loop) gets an engine and database of
 * its own, a warm-up, then its runs; medians are reported. Writes the `## End-to-end` section of
 * bench/RESULTS.md (and nothing else there).
 *
 *   node --import tsx bench/e2e/run.ts [--settings full,audit,…] [--applications 150] [--runs 3]
 *        [--warmup 50] [--concurrency 32] [--start-concurrency 8] [--no-write]
 *   node --import tsx bench/e2e/run.ts --report .local/bench/e2e-<time>.json[,…]   # re-render from raw figures
 *   node --import tsx bench/e2e/run.ts --history audit [--decision sync] [--engine-property name=value]… [--bare]
 *
 * Needs Java 17 + Maven (the engine/ build) and PostgreSQL server binaries (or CI_PG_ADMIN_URL).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createCamundaClient } from "#core/camunda/index.js";
import { type EngineHandle, findFreePort, startEngine, stopEngine } from "#core/engine/local-engine.js";
import { localDir } from "#core/util/paths.js";
import { readModels } from "../../processes/tests/support/models.js";
import { postgresBinaries } from "../../scripts/postgres-binaries.js";
import { startWorkers, type WorkersProcess } from "../../test/integration/cluster/support.js";
import { type PostgresDatabase, postgresDatabase } from "../../test/support/postgres.js";
import { engineDir, repoRoot } from "../../test/support/repo.js";
import { historyRows, operationLog, statementStats } from "./database.js";
import { bareLoop, type Engine, engine, finishedCount, startApplications } from "./drivers.js";
import {
  histogramByTopic,
  histogramTotals,
  Latencies,
  loadAverage,
  machineCpu,
  treeCpuSeconds,
} from "./measure.js";
import { type RunResult, type SettingResult, writeReport } from "./report.js";
import { engineJvmOptions, modelsFor, resolveSettings, type Setting } from "./settings.js";

const { values: args } = parseArgs({
  options: {
    settings: { type: "string" },
    history: { type: "string" },
    decision: { type: "string" },
    "engine-property": { type: "string", multiple: true },
    bare: { type: "boolean", default: false },
    applications: { type: "string", default: "150" },
    runs: { type: "string", default: "3" },
    warmup: { type: "string", default: "50" },
    // The workers' default parallelism (WORKER_PARALLELISM), for the bare loop's completes.
    concurrency: { type: "string", default: "32" },
    "start-concurrency": { type: "string", default: "8" },
    "no-write": { type: "boolean", default: false },
    report: { type: "string" },
  },
});

function positive(name: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`error: --${name} must be a whole number of at least ${min}, got "${value}".`);
    process.exit(2);
  }
  return n;
}

const applications = positive("applications", args.applications);
const runs = positive("runs", args.runs);
const warmup = positive("warmup", args.warmup, 0);
const concurrency = positive("concurrency", args.concurrency);
const startConcurrency = positive("start-concurrency", args["start-concurrency"]);
let settings: Setting[];
try {
  settings = resolveSettings({
    ...(args.settings !== undefined ? { settings: args.settings } : {}),
    ...(args.history !== undefined ? { history: args.history } : {}),
    ...(args.decision !== undefined ? { decision: args.decision } : {}),
    engineProperties: args["engine-property"] ?? [],
    bare: args.bare,
  });
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exit(2);
}
const runTimeoutMs = 20 * 60_000;

/**
 * Production runs the engine with the full JIT; the local default (C1 only) is tuned for start time.
 * The benchmark wants steady-state throughput, so it uses the full JIT and a warm-up run.
 */
const benchJvmArgs = ["-Xmx1g", "-XX:+UseSerialGC", "-Xshare:auto"];

interface RawResults {
  applications: number;
  runs: number;
  warmup: number;
  settings: SettingResult[];
}

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Context {
  setting: Setting;
  target: Engine;
  engine: EngineHandle;
  db: PostgresDatabase;
  credentials: { username: string; password: string };
  work: string;
  statements: boolean;
  /** The setting's workers process (workers driver only), started once for all its runs. */
  workers?: WorkersProcess;
}

async function workerMetrics(workers: WorkersProcess): Promise<RunResult["workers"]> {
  const text = await (await fetch(workers.metricsUrl, { signal: AbortSignal.timeout(10_000) })).text();
  const byTopic = histogramByTopic(text, "camunda_worker_task_duration_seconds");
  const requests = histogramTotals(text, "camunda_worker_engine_request_duration_seconds", (labels) =>
    labels.includes('outcome="ok"'),
  );
  return {
    taskMsByTopic: Object.fromEntries(
      [...byTopic].map(([topic, { sum, count }]) => [topic, count > 0 ? (sum / count) * 1000 : Number.NaN]),
    ),
    tasks: [...byTopic.values()].reduce((a, b) => a + b.count, 0),
    requestMs: requests.count > 0 ? (requests.sum / requests.count) * 1000 : Number.NaN,
    requests: requests.count,
  };
}

async function runOnce(ctx: Context, run: number, count: number): Promise<RunResult> {
  const { driver: mode, outputs } = ctx.setting;
  const prefix = `${mode}${run}x${randomBytes(2).toString("hex")}`;
  const latencies = new Latencies();
  const workers = ctx.workers;
  if (ctx.statements) await ctx.db.query("SELECT pg_stat_statements_reset()");
  const before = {
    engine: treeCpuSeconds(ctx.engine.pid),
    postgres: treeCpuSeconds(ctx.db.serverPid),
    workers: treeCpuSeconds(workers?.child.pid),
    driver: process.cpuUsage(),
    machine: machineCpu(),
  };
  const started = performance.now();
  let finished = 0;
  let endedAt = 0;
  const done = () => finished >= count;
  const watch = (async () => {
    while (!done()) {
      if (performance.now() - started > runTimeoutMs) {
        throw new Error(
          `${ctx.setting.name} run ${run}: only ${finished} of ${count} applications finished within ${runTimeoutMs / 60_000} minutes; see the engine log ${ctx.engine.logFile}${workers ? ` and ${workers.logFile}` : ""}.`,
        );
      }
      // Poll faster near the end: a late look adds to the run's time and lowers its rate.
      await new Promise((resolve) => setTimeout(resolve, finished >= count * 0.9 ? 50 : 250));
      finished = await finishedCount(ctx.target, prefix);
    }
    endedAt = performance.now();
  })();
  const starts = startApplications(ctx.target, latencies, prefix, count, startConcurrency);
  const loop =
    mode === "bare"
      ? bareLoop(ctx.target, latencies, { workerId: `bench-${prefix}`, concurrency, done, outputs })
      : Promise.resolve(undefined);
  const [, , bare] = await Promise.all([watch, starts, loop]);
  const elapsedS = (endedAt - started) / 1000;
  const driver = process.cpuUsage(before.driver);
  const machine = machineCpu();
  const delta = (after: number | undefined, prior: number | undefined) =>
    after !== undefined && prior !== undefined ? after - prior : undefined;
  const result: RunResult = {
    setting: ctx.setting.name,
    mode,
    run,
    applications: count,
    elapsedS,
    perMinute: (count / elapsedS) * 60,
    cpu: {
      engine: delta(treeCpuSeconds(ctx.engine.pid), before.engine),
      postgres: delta(treeCpuSeconds(ctx.db.serverPid), before.postgres),
      workers: delta(treeCpuSeconds(workers?.child.pid), before.workers),
      driver: (driver.user + driver.system) / 1e6,
      machineBusy: machine.busy - before.machine.busy,
      machineTotal: machine.total - before.machine.total,
    },
    latencies: latencies.summary(),
    ...(bare ? { batchSizes: bare.batchSizes } : {}),
    database: ctx.statements ? await statementStats(ctx.db) : undefined,
    workers: workers ? await workerMetrics(workers) : undefined,
    loadAverage: loadAverage(),
  };
  const client = mode === "workers" ? result.cpu.workers : result.cpu.driver;
  log(
    `${ctx.setting.name} run ${run}: ${count} applications in ${elapsedS.toFixed(1)} s = ${result.perMinute.toFixed(0)}/min (CPU s: engine ${result.cpu.engine?.toFixed(1)}, PostgreSQL ${result.cpu.postgres?.toFixed(1) ?? "n/a"}, ${mode === "workers" ? "workers" : "bare loop"} ${client?.toFixed(1)}; machine ${((result.cpu.machineBusy / result.cpu.machineTotal) * 100).toFixed(0)} % busy, load ${result.loadAverage})`,
  );
  return result;
}

/** One setting: its own PostgreSQL database and engine, a warm-up, then the counted runs. */
async function runSetting(setting: Setting, index: number, work: string): Promise<SettingResult> {
  const suffix = `${randomBytes(3).toString("hex")}x${index}`;
  const credentials = { username: `bench${suffix}`, password: randomBytes(18).toString("base64url") };
  const dataDir = path.join(work, `engine-${index}`);
  let db: PostgresDatabase | undefined;
  let workersOf: WorkersProcess | undefined;
  try {
    log(`${setting.name}: ${setting.summary}; starting PostgreSQL`);
    db = await postgresDatabase(`bench_${suffix}`, {
      serverSettings: { shared_preload_libraries: "pg_stat_statements" },
    });
    let statements = false;
    if (db.ownServer) {
      await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      statements = true;
    }
    const handle = await startEngine({
      engineDir,
      db: "postgres",
      port: await findFreePort(),
      dataDir,
      timeoutMs: 300_000,
      jvmArgs: [...benchJvmArgs, ...engineJvmOptions(setting)],
      env: {
        SPRING_DATASOURCE_URL: db.jdbcUrl,
        SPRING_DATASOURCE_USERNAME: db.username,
        SPRING_DATASOURCE_PASSWORD: db.password,
        CAMUNDA_BPM_ADMIN_USER_ID: credentials.username,
        CAMUNDA_BPM_ADMIN_USER_PASSWORD: credentials.password,
      },
      onProgress: (line) => log(`engine: ${line}`),
    });
    // The history level the engine really runs with, as it wrote it into its database.
    const [level] = await db.query("SELECT value_ FROM act_ge_property WHERE name_ = 'historyLevel'");
    const expected = { audit: "2", full: "3" }[setting.history];
    if (level?.[0] !== expected) {
      throw new Error(
        `${setting.name}: the engine runs at history level ${level?.[0] ?? "unknown"}, not ${setting.history} (${expected}); see ${handle.logFile}.`,
      );
    }
    const client = createCamundaClient({ baseUrl: handle.restUrl, ...credentials });
    await client.deploy({
      name: "bench-e2e",
      source: "bench/e2e",
      resources: modelsFor(setting, readModels()),
    });
    const ctx: Context = {
      setting,
      target: engine(handle.restUrl, credentials.username, credentials.password),
      engine: handle,
      db,
      credentials,
      work,
      statements,
    };
    if (setting.driver === "workers") {
      // One workers process for the setting's runs, as in production. A process stopped between
      // runs would leave its pending long poll on the engine, which then locks the next run's tasks
      // for the gone process until their lock expires (30 s and more of idle machine).
      workersOf = await startWorkers({
        restUrl: handle.restUrl,
        ...credentials,
        dataDir: mkdtempSync(path.join(work, "workers-")),
        timeoutMs: 120_000,
      });
      ctx.workers = workersOf;
    }
    if (warmup > 0) {
      log(`${setting.name}: warm-up, ${warmup} applications (not counted)`);
      await runOnce(ctx, 0, warmup);
    }
    const results: RunResult[] = [];
    for (let run = 1; run <= runs; run++) results.push(await runOnce(ctx, run, applications));
    return {
      setting,
      runs: results,
      statements,
      historyRows: await historyRows(db, warmup + runs * applications),
      operationLog: await operationLog(db, warmup + runs * applications),
    };
  } finally {
    await workersOf?.stop().catch(() => undefined);
    await stopEngine({ dataDir }).catch(() => undefined);
    await db?.drop().catch(() => undefined);
  }
}

function reportOptions(header: Pick<RawResults, "applications" | "runs" | "warmup">) {
  return {
    ...header,
    concurrency,
    startConcurrency,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown CPU",
    node: process.version,
    postgresMajor: process.env.CI_PG_ADMIN_URL ? undefined : postgresBinaries()?.major,
    write: !args["no-write"],
  };
}

async function main(): Promise<void> {
  if (args.report) {
    // Re-render the section from raw figures: a run stopped before its last setting, or several
    // runs (comma-separated files) whose settings are shown side by side.
    const files = args.report.split(",").filter(Boolean);
    const raws = files.map((file) => JSON.parse(readFileSync(file, "utf8")) as RawResults);
    console.log(
      writeReport(
        raws.flatMap((raw) => raw.settings),
        reportOptions(raws[0]!),
      ),
    );
    return;
  }
  const work = mkdtempSync(path.join(tmpdir(), "bench-e2e-"));
  // The raw figures of every run, written after each setting: a closer look than the medians, and
  // what --report renders if the run is stopped early.
  const raw = path.join(
    localDir(repoRoot),
    "bench",
    `e2e-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
  );
  mkdirSync(path.dirname(raw), { recursive: true });
  try {
    const results: SettingResult[] = [];
    for (const [index, setting] of settings.entries()) {
      results.push(await runSetting(setting, index, work));
      const body: RawResults = { applications, runs, warmup, settings: results };
      writeFileSync(raw, `${JSON.stringify(body, null, 2)}\n`);
      log(`raw results so far in ${path.relative(process.cwd(), raw)}`);
    }
    const section = writeReport(results, reportOptions({ applications, runs, warmup }));
    console.log(`\n${section}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  const details = (error as { details?: string[] }).details ?? [];
  for (const line of details) console.error(`  ${line}`);
  process.exitCode = 1;
});
