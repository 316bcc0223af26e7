import { localCredentialsFile, resolveCamundaCredentials } from "#core/camunda/credentials.js";
import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { defaultDataDir, engineStatus } from "#core/engine/local-engine.js";
import { environmentsDir, loadEnvironment } from "#core/environments/load.js";
import { startExporter } from "#core/metrics/exporter.js";
import { defaultExporterPort } from "#core/metrics/settings.js";
import { metricsOptions } from "#core/options/metrics.js";
import { cliNames, parseOptions } from "#core/options/rules.js";

const help = `Usage: camunda-gitops metrics [--env NAME] [--port N] [--host ADDRESS] [--interval SECONDS] [--once]

Serves the platform's business metrics in Prometheus text format at http://HOST:PORT/metrics until
Ctrl-C / SIGTERM: external task backlog and oldest task age per topic (camunda_external_task_backlog,
camunda_external_task_oldest_age_seconds), open user tasks and the oldest per candidate group,
incidents by process, activity and type, failed jobs, running and finished instances per process,
the engine's own meters as counters (camunda_engine_*_total), and the exporter's health
(camunda_exporter_up, camunda_exporter_poll_requests, camunda_exporter_poll_duration_seconds).
The engine is polled once per interval whatever the scrapers do; /readyz says whether the last poll
worked, /healthz that the exporter runs. docs/observability.md lists every metric.

  --env NAME          environment whose engine to poll (default local; CAMUNDA_URL overrides its URL)
  --port N            HTTP port (default ${defaultExporterPort}; 0 picks a free one)
  --host ADDRESS      address to listen on (default 127.0.0.1)
  --interval SECONDS  time between polls (default 15)
  --once              poll once, print the metrics and exit (1 when the poll failed)

Credentials come from CAMUNDA_USERNAME / CAMUNDA_PASSWORD: use the read-only monitoring user of the
environment (its grants are in environments/<name>.yaml). For the local environment the local
engine's generated credentials are used when they are unset.

Exit codes: 0 stopped (or --once polled), 1 the poll failed (--once), 2 usage or configuration error.`;

export const command: Command = {
  help,
  async run(argv, { root }) {
    const { values } = parseCommandArgs("metrics", argv, {
      env: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      interval: { type: "string" },
      once: { type: "boolean", default: false },
    });
    const options = parseOptions(metricsOptions, values, cliNames("metrics"));
    const environment = options.env ?? "local";
    const host = options.host ?? "127.0.0.1";
    const { port, interval: intervalSeconds } = options;

    const dir = environmentsDir(root);
    const config = loadEnvironment(environment, { dir }).config;
    let baseUrl = process.env.CAMUNDA_URL;
    if (!baseUrl) {
      const local =
        environment === "local" ? await engineStatus({ dataDir: defaultDataDir(root) }) : undefined;
      baseUrl = local?.running && local.restUrl ? local.restUrl : config.camunda.restUrl;
    }
    const credentials = resolveCamundaCredentials({
      environmentName: environment,
      ...(environment === "local" ? { localFile: localCredentialsFile(root) } : {}),
    });

    const exporter = await startExporter({
      baseUrl,
      username: credentials.username,
      password: credentials.password,
      host: values.once ? "127.0.0.1" : host,
      port: values.once ? 0 : port,
      intervalMs: intervalSeconds * 1000,
      log: (line) => console.error(line),
    });
    if (values.once) {
      await exporter.nextPoll();
      process.stdout.write(await exporter.metrics.registry.metrics());
      const ok = exporter.last !== undefined;
      await exporter.stop();
      return ok ? 0 : 1;
    }
    console.error(
      `serving ${environment}'s metrics at ${exporter.url} (polling ${baseUrl} as ${credentials.username} every ${intervalSeconds} s; Ctrl-C stops)`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await exporter.stop();
    return 0;
  },
};
