/**
 * `npm test`: runs every *.test.ts under test/, processes/tests/ and workers/test/ with node's test
 * runner. `npm test -- <path prefix>… [--exclude <path prefix>]…` runs a subset (test/support/test-selection.ts). When a selected file needs the real engine
 * (it sits in an `integration/` folder or in processes/tests/), one engine is started first on a free
 * port — H2 by default, PostgreSQL when CAMUNDA_TEST_DB=postgres (with SPRING_DATASOURCE_URL,
 * _USERNAME, _PASSWORD) — and stopped afterwards. Its log is kept under .local/test-logs/ when
 * something fails. The last line is always `N passed, N failed, N skipped`.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { findFreePort } from "#core/engine/ports.js";
import { engineDir, repoRoot } from "./support/repo.js";
import {
  findTestFiles,
  needsEngine,
  needsTools,
  parseSelection,
  type Selection,
  selectTests,
} from "./support/test-selection.js";

async function main(): Promise<number> {
  let selection: Selection;
  try {
    selection = parseSelection(process.argv.slice(2));
  } catch (error) {
    console.error(`npm test: ${(error as Error).message}`);
    console.log("0 passed, 1 failed");
    return 1;
  }
  const files = selectTests(findTestFiles(repoRoot), selection);
  if (files.length === 0) {
    console.error(`no test files match ${process.argv.slice(2).join(" ")}`);
    console.log("0 passed, 1 failed");
    return 1;
  }

  // The Python and Go tools (moto, cfn-lint, checkov, actionlint, zizmor, shellcheck, act) live in
  // .venv; a subset that calls none of them does not wait for their installation check.
  const setup = files.some((f) => needsTools(repoRoot, f))
    ? spawnSync("bash", [path.join(repoRoot, "scripts/setup-tools.sh")], { stdio: "inherit" })
    : { status: 0 };
  if (setup.status !== 0) {
    console.error("scripts/setup-tools.sh failed: the Python tools the tests need could not be installed.");
    console.log("0 passed, 1 failed");
    return 1;
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  let engine: { stop: () => Promise<void>; logFile: string } | undefined;
  if (files.some(needsEngine)) {
    engine = await startTestEngine(env);
    if (!engine) {
      console.log("0 passed, 1 failed");
      return 1;
    }
  }

  const counts = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
  const concurrency = process.env.TEST_CONCURRENCY ?? "";
  const args = [
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 900_000}`,
    ...(concurrency ? [`--test-concurrency=${concurrency}`] : []),
    ...files,
  ];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "inherit"] });
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      buffer += chunk.toString("utf8");
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        const match = /^ℹ (pass|fail|skipped|todo|cancelled) (\d+)$/.exec(line.trim());
        if (match) counts[match[1] as keyof typeof counts] = Number(match[2]);
      }
    });
    child.on("close", (status) => resolve(status ?? 1));
  });

  if (engine) {
    if (code !== 0) {
      const keep = path.join(repoRoot, ".local", "test-logs");
      mkdirSync(keep, { recursive: true });
      const target = path.join(keep, `engine-${new Date().toISOString().replace(/[:.]/g, "-")}.log`);
      if (existsSync(engine.logFile)) {
        copyFileSync(engine.logFile, target);
        console.log(`engine log kept at ${path.relative(repoRoot, target)}`);
      }
    }
    await engine.stop();
  }
  const failed =
    counts.fail + counts.cancelled + (code !== 0 && counts.fail + counts.cancelled === 0 ? 1 : 0);
  console.log(`${counts.pass} passed, ${failed} failed, ${counts.skipped} skipped`);
  return code === 0 ? 0 : 1;
}

async function startTestEngine(env: NodeJS.ProcessEnv) {
  const { defaultJvmArgs, startEngine, stopEngine } = await import("#core/engine/local-engine.js");
  const db = process.env.CAMUNDA_TEST_DB === "postgres" ? "postgres" : "h2";
  const dataDir = path.join(repoRoot, ".local", "test-engine", `run-${Date.now()}`);
  const username = "testadmin"; // Camunda ids are alphanumeric by default
  const password = randomBytes(18).toString("base64url");
  const port = Number(process.env.CAMUNDA_TEST_PORT ?? (await findFreePort()));
  console.log(`test engine: starting Camunda 7.23 on port ${port} with ${db} …`);
  const started = Date.now();
  try {
    const handle = await startEngine({
      engineDir,
      port,
      db,
      dataDir,
      env: { CAMUNDA_BPM_ADMIN_USER_ID: username, CAMUNDA_BPM_ADMIN_USER_PASSWORD: password },
      // Test files share one admin user and some of them send wrong passwords on purpose. The engine's
      // login throttling (3 s delay after a failure, lock after 10) would then fail unrelated tests
      // running at the same time, so the shared test engine alone turns it off.
      jvmArgs: [
        ...defaultJvmArgs,
        "-Dcamunda.bpm.generic-properties.properties.loginDelayBase=0",
        "-Dcamunda.bpm.generic-properties.properties.loginMaxAttempts=100000",
      ],
      onProgress: (line: string) => console.log(`test engine: ${line}`),
    });
    console.log(`test engine: up at ${handle.restUrl} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    env.CAMUNDA_TEST_URL = handle.restUrl;
    env.CAMUNDA_TEST_USERNAME = username;
    env.CAMUNDA_TEST_PASSWORD = password;
    env.CAMUNDA_TEST_ENGINE_LOG = handle.logFile;
    // The engine's data folder: test/support/identities.ts keeps the generated passwords there.
    env.CAMUNDA_TEST_DATA_DIR = dataDir;
    env.CAMUNDA_TEST_DB = db;
    // The JMX exporter agent's /metrics of the test engine (absent when the build has no agent).
    if (handle.jvmMetricsUrl) env.CAMUNDA_TEST_JVM_METRICS_URL = handle.jvmMetricsUrl;
    return {
      logFile: handle.logFile,
      stop: async () => {
        await stopEngine({ dataDir });
        // The H2 files of a passing run are of no use; keep the folder small.
        if (existsSync(dataDir) && statSync(dataDir).isDirectory())
          rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    console.error(`test engine: could not start: ${error instanceof Error ? error.message : String(error)}`);
    const details = (error as { details?: string[] }).details ?? [];
    for (const line of details) console.error(`  ${line}`);
    return undefined;
  }
}

process.exitCode = await main();
