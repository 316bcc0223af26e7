/**
 * End-to-end throughput: insurance applications per minute through the whole GREEN path (validate,
 * decision, premium, policy, notification; all automatic) on the local engine with PostgreSQL, with
 * the production workers at their defaults, against the engine's ceiling measured in the same run by
 * a bare REST loop doing the same external task steps. Runs alternate (bare, workers, bare, …) so
 * both see the same machine; medians are reported. Writes the `## End-to-end` section of
 * bench/RESULTS.md (and nothing else there).
 *
 *   node --import tsx bench/e2e/run.ts [--applications 200] [--runs 3] [--warmup 50] [--concurrency 32]
 *                                      [--start-concurrency 8] [--no-write]
 *
 * Needs Java 17 + Maven (the engine/ build) and PostgreSQL server binaries (or CI_PG_ADMIN_URL).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createCamundaClient } from "#core/camunda/index.js";
import { type EngineHandle, findFreePort, startEngine, stopEngine } from "#core/engine/local-engine.js";
import { localDir } from "#core/util/paths.js";
import { readModels } from "../../processes/tests/support/models.js";
import { startWorkers, type WorkersProcess } from "../../test/integration/cluster/support.js";
import { type PostgresDatabase, postgresDatabase } from "../../test/support/postgres.js";
import { engineDir, repoRoot } from "../../test/support/repo.js";
import { bareLoop, type Engine, engine, finishedCount, startApplications } from "./drivers.js";
import {
  histogramByTopic,
  histogramTotals,
  Latencies,
  loadAverage,
  machineCpu,
  treeCpuSeconds,
} from "./measure.js";
import { type RunResult, writeReport } from "./report.js";

const { values: args } = parseArgs({
  options: {
    applications: { type: "string", default: "200" },
    runs: { type: "string", default: "3" },
    warmup: { type: "string", default: "50" },
    // The workers' default parallelism (WORKER_PARALLELISM), for the bare loop's completes.
    concurrency: { type: "string", default: "32" },
    "start-concurrency": { type: "string", default: "8" },
    "no-write": { type: "boolean", default: false },
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
const runTimeoutMs = 20 * 60_000;

/**
 * Production runs the engine with the full JIT; the local default (C1 only) is tuned for start time.
 * The benchmark wants steady-state throughput, so it uses the full JIT and a warm-up run.
 */
const benchJvmArgs = ["-Xmx1g", "-XX:+UseSerialGC", "-Xshare:auto"];

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Context {
  target: Engine;
  engine: EngineHandle;
  db: PostgresDatabase;
  credentials: { username: string; password: string };
  work: string;
  statements: boolean;
}

async function statementStats(ctx: Context): Promise<RunResult["database"]> {
  if (!ctx.statements) return undefined;
  const [totals] = await ctx.db.query(
    "SELECT coalesce(sum(calls),0), coalesce(round(sum(total_exec_time)::numeric,1),0) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
  );
  const top = await ctx.db.query(
    "SELECT calls, round(total_exec_time::numeric,1), left(regexp_replace(query, '\\s+', ' ', 'g'), 60) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 3",
  );
  return {
    statements: Number(totals?.[0] ?? 0),
    execMs: Number(totals?.[1] ?? 0),
    top: top.map(([calls, ms, query]) => ({ calls: Number(calls), execMs: Number(ms), query: query ?? "" })),
  };
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

async function runOnce(
  ctx: Context,
  mode: "bare" | "workers",
  run: number,
  count: number,
): Promise<RunResult> {
  const prefix = `${mode}${run}x${randomBytes(2).toString("hex")}`;
  const latencies = new Latencies();
  let workers: WorkersProcess | undefined;
  if (mode === "workers") {
    // Defaults everywhere except where it must differ per process: port and data folder.
    workers = await startWorkers({
      restUrl: ctx.engine.restUrl,
      ...ctx.credentials,
      dataDir: mkdtempSync(path.join(ctx.work, "workers-")),
      timeoutMs: 120_000,
    });
  }
  try {
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
            `${mode} run ${run}: only ${finished} of ${count} applications finished within ${runTimeoutMs / 60_000} minutes; see the engine log ${ctx.engine.logFile}${workers ? ` and ${workers.logFile}` : ""}.`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
        finished = await finishedCount(ctx.target, prefix);
      }
      endedAt = performance.now();
    })();
    const starts = startApplications(ctx.target, latencies, prefix, count, startConcurrency);
    const loop =
      mode === "bare"
        ? bareLoop(ctx.target, latencies, { workerId: `bench-${prefix}`, concurrency, done })
        : Promise.resolve(undefined);
    const [, , bare] = await Promise.all([watch, starts, loop]);
    const elapsedS = (endedAt - started) / 1000;
    const driver = process.cpuUsage(before.driver);
    const machine = machineCpu();
    const delta = (after: number | undefined, prior: number | undefined) =>
      after !== undefined && prior !== undefined ? after - prior : undefined;
    const result: RunResult = {
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
      database: await statementStats(ctx),
      workers: workers ? await workerMetrics(workers) : undefined,
      loadAverage: loadAverage(),
    };
    log(
      `${mode} run ${run}: ${count} applications in ${elapsedS.toFixed(1)} s = ${result.perMinute.toFixed(0)}/min (engine CPU ${result.cpu.engine?.toFixed(1)} s, PostgreSQL ${result.cpu.postgres?.toFixed(1) ?? "n/a"} s, ${mode === "workers" ? `workers ${result.cpu.workers?.toFixed(1)}` : `driver ${result.cpu.driver.toFixed(1)}`} s, load ${result.loadAverage})`,
    );
    return result;
  } finally {
    await workers?.stop();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "bench-e2e-"));
  const suffix = randomBytes(4).toString("hex");
  const credentials = { username: `bench${suffix}`, password: randomBytes(18).toString("base64url") };
  const dataDir = path.join(work, "engine");
  let db: PostgresDatabase | undefined;
  try {
    log("starting PostgreSQL");
    db = await postgresDatabase(`bench_${suffix}`, {
      serverSettings: { shared_preload_libraries: "pg_stat_statements" },
    });
    let statements = false;
    if (db.ownServer) {
      await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      statements = true;
    }
    log(
      `PostgreSQL database ${db.database} on ${db.host}:${db.port}${statements ? " (pg_stat_statements on)" : ""}`,
    );
    const handle = await startEngine({
      engineDir,
      db: "postgres",
      port: await findFreePort(),
      dataDir,
      timeoutMs: 300_000,
      jvmArgs: benchJvmArgs,
      env: {
        SPRING_DATASOURCE_URL: db.jdbcUrl,
        SPRING_DATASOURCE_USERNAME: db.username,
        SPRING_DATASOURCE_PASSWORD: db.password,
        CAMUNDA_BPM_ADMIN_USER_ID: credentials.username,
        CAMUNDA_BPM_ADMIN_USER_PASSWORD: credentials.password,
      },
      onProgress: (line) => log(`engine: ${line}`),
    });
    const client = createCamundaClient({ baseUrl: handle.restUrl, ...credentials });
    await client.deploy({ name: "bench-e2e", source: "bench/e2e", resources: readModels() });
    const ctx: Context = {
      target: engine(handle.restUrl, credentials.username, credentials.password),
      engine: handle,
      db,
      credentials,
      work,
      statements,
    };
    if (warmup > 0) {
      log(`warm-up: ${warmup} applications through the bare loop and the workers (not counted)`);
      await runOnce(ctx, "bare", 0, warmup);
      await runOnce(ctx, "workers", 0, warmup);
    }
    const results: RunResult[] = [];
    for (let run = 1; run <= runs; run++) {
      for (const mode of ["bare", "workers"] as const)
        results.push(await runOnce(ctx, mode, run, applications));
    }
    // The raw figures of every run, for a closer look than the medians.
    const raw = path.join(
      localDir(repoRoot),
      "bench",
      `e2e-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
    );
    mkdirSync(path.dirname(raw), { recursive: true });
    writeFileSync(raw, `${JSON.stringify(results, null, 2)}\n`);
    log(`raw results in ${path.relative(process.cwd(), raw)}`);
    const section = writeReport(results, {
      applications,
      runs,
      warmup,
      concurrency,
      startConcurrency,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown CPU",
      node: process.version,
      statements,
      write: !args["no-write"],
    });
    console.log(`\n${section}`);
  } finally {
    await stopEngine({ dataDir }).catch(() => undefined);
    await db?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  const details = (error as { details?: string[] }).details ?? [];
  for (const line of details) console.error(`  ${line}`);
  process.exitCode = 1;
});
