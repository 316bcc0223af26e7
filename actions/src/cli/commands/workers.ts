import path from "node:path";
import { localCredentialsFile, resolveCamundaCredentials } from "#core/camunda/credentials.js";
import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { defaultDataDir, engineStatus } from "#core/engine/local-engine.js";
import { environmentsDir, loadEnvironment } from "#core/environments/load.js";
import { localDir } from "#core/util/paths.js";
import { loadWorkerConfig } from "#workers/runtime/config.js";
import { runWorkers } from "#workers/runtime/run.js";

const help = `Usage: camunda-gitops workers [--env NAME] [--topics a,b] [--parallelism N] [--port N]

Runs the external task workers in the foreground (the same runtime as the workers container) until
Ctrl-C / SIGTERM, then stops gracefully: no new fetches, running tasks finish within
WORKER_SHUTDOWN_GRACE_MS, what cannot finish is unlocked. A second Ctrl-C unlocks at once.

  --env NAME         environment whose engine to serve (default local). CAMUNDA_URL overrides its URL;
                     for local, a running \`camunda-gitops engine start\` engine is found by itself.
  --topics a,b       serve only these topics (WORKER_TOPICS); default all in workers/src/registry.ts
  --parallelism N    handlers running at once (WORKER_PARALLELISM, default 32)
  --port N           port of /healthz, /readyz and /metrics (WORKER_HTTP_PORT, default 9464; 0 = any)

Credentials come from CAMUNDA_USERNAME / CAMUNDA_PASSWORD; for the local environment the local
engine's generated .local/engine/credentials.json is used when they are unset. Every other setting is
an environment variable (WORKER_*), listed in workers/README.md. Logs are JSON lines on stdout.

Exit codes: 0 stopped cleanly, 1 the workers failed, 2 usage or configuration error.`;

export const command: Command = {
  help,
  async run(argv, { root }) {
    const { values } = parseCommandArgs("workers", argv, {
      env: { type: "string", default: "local" },
      topics: { type: "string" },
      parallelism: { type: "string" },
      port: { type: "string" },
    });
    const environment = values.env;
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (values.topics !== undefined) env.WORKER_TOPICS = values.topics;
    if (values.parallelism !== undefined) env.WORKER_PARALLELISM = values.parallelism;
    if (values.port !== undefined) env.WORKER_HTTP_PORT = values.port;
    // On a laptop the health port stays on loopback unless asked otherwise; the container binds all.
    env.WORKER_HTTP_HOST ??= "127.0.0.1";
    env.WORKER_DATA_DIR ??= path.join(localDir(root), "workers");
    const dir = environmentsDir(root);

    if (!env.CAMUNDA_URL) {
      const local =
        environment === "local" ? await engineStatus({ dataDir: defaultDataDir(root) }) : undefined;
      env.CAMUNDA_URL =
        local?.running && local.restUrl
          ? local.restUrl
          : loadEnvironment(environment, { dir }).config.camunda.restUrl;
    }
    if (!env.WORKER_TENANT_ID) {
      const tenantId = loadEnvironment(environment, { dir, env }).config.camunda.tenantId;
      if (tenantId) env.WORKER_TENANT_ID = tenantId;
    }
    const credentials = resolveCamundaCredentials({
      environmentName: environment,
      env,
      ...(environment === "local" ? { localFile: localCredentialsFile(root) } : {}),
    });
    const running = await runWorkers(loadWorkerConfig(env, credentials));
    const report = await running.finished;
    return report.leftLocked > 0 ? 1 : 0;
  },
};
