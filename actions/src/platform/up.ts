import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CamundaClient } from "#core/camunda/index.js";
import {
  defaultDataDir,
  type EngineDb,
  engineProjectDir,
  findFreePort,
  isPortFree,
  startEngine,
  stopEngine,
} from "#core/engine/local-engine.js";
import { generatedPasswordsFile } from "#core/identities/index.js";
import { defaultExporterPort } from "#core/metrics/settings.js";
import { connect } from "#core/release/connect.js";
import { projectLintGate } from "#core/release/lint-gate.js";
import { release } from "#core/release/release.js";
import { UserError } from "#core/util/errors.js";
import { displayPath, localDir } from "#core/util/paths.js";
import { step as progressStep } from "#core/util/progress.js";
import { waitUntil } from "#core/util/wait.js";
import {
  localWorkersLogin,
  startExporterProcess,
  startWorkersProcess,
  waitForReady,
  waitForWorkers,
} from "./background.js";
import { stopWorkers } from "./down.js";
import { isAlive, type PlatformState, platformFiles, readState, writeState } from "./state.js";

export interface UpOptions {
  /** The checkout that runs the platform: its engine/, .local/, bin/ and processes/examples/. */
  root: string;
  db?: EngineDb;
  port?: number;
  /** Sample applications to submit, cycling through processes/examples/. Default 4 (one per path). */
  samples?: number;
  /** How long to wait for the samples to reach their first wait state before printing the status (default 60 s). */
  samplesWaitMs?: number;
  /** Port of the workers' /healthz, /readyz and /metrics; default 9464 or the next free one. */
  workersPort?: number;
  /** Port of the business metrics exporter; default 9465 or the next free one. */
  exporterPort?: number;
  step?: typeof progressStep;
  /** Engine data folder; default defaultDataDir(root). Tests use a folder of their own. */
  dataDir?: string;
  /** Repository whose processes/ is released; default root. */
  repoRoot?: string;
}

export interface UpResult {
  alreadyRunning: boolean;
  engine: { restUrl: string; cockpitUrl: string; username: string; credentialsWhere: string };
  released: { newVersions: number; identityChanges: number };
  /** People of environments/local.yaml who may log in to Tasklist, and where their passwords are. */
  people: { users: Array<{ id: string; groups: string[] }>; passwordsWhere: string };
  /** The user the workers log in as (environments/local.yaml's "workers", else the admin). */
  workersUser: string;
  samples: Array<{ businessKey: string; example: string; processInstanceId: string }>;
}

export async function up(options: UpOptions): Promise<UpResult | { alreadyRunning: true }> {
  const step = options.step ?? progressStep;
  const { root } = options;
  const files = platformFiles(root);
  const existing = readState(files.stateFile);
  if (existing?.workers && isAlive(existing.workers.pid)) {
    return { alreadyRunning: true };
  }

  const dataDir = options.dataDir ?? defaultDataDir(root);
  const started: { engine: boolean; workersPid: number | null; exporterPid: number | null } = {
    engine: false,
    workersPid: null,
    exporterPid: null,
  };
  try {
    const engine = await step("Starting the Camunda 7.23 engine", (s) =>
      startEngine({
        ...(options.port ? { port: options.port } : {}),
        db: options.db ?? "h2",
        dataDir,
        engineDir: engineProjectDir(root),
        onProgress: s.update,
      }),
    );
    started.engine = !engine.alreadyRunning;

    const connection = connect("local", {
      root,
      env: {
        ...process.env,
        CAMUNDA_URL: engine.restUrl,
        CAMUNDA_USERNAME: engine.credentials.username,
        CAMUNDA_PASSWORD: engine.credentials.password,
      },
      engineDataDir: dataDir,
    });
    // The admin provisions environments/local.yaml's groups, users, grants and filters with the processes.
    const released = await release({
      client: connection.client,
      target: connection.target,
      step: wrapStep(step),
      repoRoot: options.repoRoot ?? root,
      lint: projectLintGate({ toolRoot: root }),
      identities: connection.identities,
      authenticatedUserPassword: connection.authenticatedUserPassword,
    });
    const workersLogin = localWorkersLogin(connection.identities) ?? engine.credentials;

    const workersPort = options.workersPort ?? ((await isPortFree(9464)) ? 9464 : await findFreePort());
    const workers = await step(`Starting the workers (as ${workersLogin.username})`, async (s) => {
      const pid = startWorkersProcess(root, engine, workersPort, workersLogin);
      started.workersPid = pid;
      s.update(`pid ${pid}, log ${displayPath(files.workersLogFile)}`);
      await waitForWorkers(workersPort, pid, files.workersLogFile);
      return { pid };
    });

    const exporterPort =
      options.exporterPort ??
      ((await isPortFree(defaultExporterPort)) ? defaultExporterPort : await findFreePort());
    const exporter = await step("Starting the metrics exporter", async (s) => {
      const pid = startExporterProcess(root, engine, exporterPort);
      started.exporterPid = pid;
      s.update(`pid ${pid}, http://127.0.0.1:${exporterPort}/metrics`);
      await waitForReady(exporterPort, pid, files.exporterLogFile, "the metrics exporter");
      return { pid };
    });

    const state: PlatformState = {
      startedAt: new Date().toISOString(),
      engine: { dataDir, startedByUp: started.engine, db: engine.db, port: engine.port },
      workers: {
        pid: workers.pid,
        port: workersPort,
        logFile: files.workersLogFile,
        dataDir: path.join(localDir(root), "workers"),
      },
      exporter: { pid: exporter.pid, port: exporterPort, logFile: files.exporterLogFile },
    };
    writeState(state, files.stateFile);

    const sampleCount = options.samples ?? 4;
    const samples =
      sampleCount > 0
        ? await step(`Submitting ${sampleCount} sample application(s)`, () =>
            submitSamples(connection.client, sampleCount, path.join(root, "processes", "examples")),
          )
        : [];
    // The status printed next should show the samples where they wait (a review, documents) or done,
    // not all of them still running because the workers had not fetched them yet. Bounded: a slow
    // machine gets the status as it is, with a line saying the samples are still moving.
    if (samples.length > 0) {
      await step("Waiting for the samples to reach their first wait state", async (s) => {
        const settled = await waitUntil(
          async () => {
            const moving = await samplesInMotion(connection.client, samples);
            s.update(moving === 0 ? "all settled" : `${moving} still moving`);
            return moving === 0;
          },
          { timeoutMs: options.samplesWaitMs ?? 60_000, intervalMs: 300 },
        );
        if (!settled) s.update("still moving after the bound; the status shows them as they are");
      });
    }

    return {
      alreadyRunning: false,
      engine: {
        restUrl: engine.restUrl,
        cockpitUrl: engine.cockpitUrl,
        username: engine.credentials.username,
        credentialsWhere: engine.credentialsFile
          ? displayPath(engine.credentialsFile)
          : "CAMUNDA_BPM_ADMIN_USER_PASSWORD",
      },
      released: { newVersions: released.newVersions, identityChanges: released.identitiesApplied.length },
      people: {
        users: Object.entries(connection.identities?.config.users ?? {})
          .filter(([, user]) => user.groups.length > 0)
          .map(([id, user]) => ({ id, groups: user.groups })),
        passwordsWhere: displayPath(generatedPasswordsFile(dataDir)),
      },
      workersUser: workersLogin.username,
      samples,
    };
  } catch (error) {
    // Leave nothing half-started: undo exactly what this run started, then report the first error.
    if (started.exporterPid) await stopWorkers(started.exporterPid);
    if (started.workersPid) await stopWorkers(started.workersPid);
    if (started.engine) await stopEngine({ dataDir });
    throw error;
  }
}

function wrapStep(step: typeof progressStep) {
  return <T>(title: string, fn: (update: (detail: string) => void) => Promise<T>) =>
    step(title, (s) => fn(s.update));
}

interface Example {
  businessKey?: string;
  variables: Record<string, { value: unknown; type?: string }>;
}

/** processes/examples/*.json, in a fixed order so `--samples 4` covers each path once. */
export function loadExamples(dir: string): Array<{ name: string; example: Example }> {
  const order = ["green", "yellow", "red", "incomplete"];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({
      name: f.replace(/\.json$/, ""),
      example: JSON.parse(readFileSync(path.join(dir, f), "utf8")) as Example,
    }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));

  function rank(name: string): number {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  }
}

/**
 * How many of the samples still have work the engine or the workers will do on their own: an external
 * task or an executable job in the sample's instance or the instances it called. Zero means each is
 * finished or waits for a person, a message or a timer.
 */
async function samplesInMotion(client: CamundaClient, samples: UpResult["samples"]): Promise<number> {
  let moving = 0;
  for (const sample of samples) {
    const ids = [sample.processInstanceId];
    const called = await client.ok(
      client.api.GET("/history/process-instance", {
        params: { query: { superProcessInstanceId: sample.processInstanceId } },
      }),
    );
    for (const instance of called) if (instance.id && !instance.endTime) ids.push(instance.id);
    const tasks = await client.ok(
      client.api.GET("/external-task/count", { params: { query: { processInstanceIdIn: ids.join(",") } } }),
    );
    const jobs = await client.ok(
      client.api.GET("/job/count", {
        params: { query: { processInstanceIds: ids.join(","), executable: true } },
      }),
    );
    if ((tasks.count ?? 0) + (jobs.count ?? 0) > 0) moving++;
  }
  return moving;
}

async function submitSamples(
  client: CamundaClient,
  count: number,
  examplesDir: string,
): Promise<UpResult["samples"]> {
  const examples = loadExamples(examplesDir);
  if (examples.length === 0)
    throw new UserError("processes/examples/ holds no example; add one JSON file per path.");
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const submitted: UpResult["samples"] = [];
  for (let i = 0; i < count; i++) {
    const { name, example } = examples[i % examples.length]!;
    // A business key of its own per sample, so repeated runs never reuse an application id.
    const businessKey = `SAMPLE-${stamp}-${String(i + 1).padStart(3, "0")}-${name.toUpperCase()}`;
    const variables = { ...example.variables, applicationId: { value: businessKey, type: "String" } };
    const instance = await client.ok(
      client.api.POST("/process-definition/key/{key}/start", {
        params: { path: { key: "insurance_process" } },
        body: { businessKey, variables: variables as never },
      }),
    );
    submitted.push({ businessKey, example: name, processInstanceId: instance.id ?? "" });
  }
  return submitted;
}
