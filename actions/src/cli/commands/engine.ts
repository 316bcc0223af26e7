import path from "node:path";
import { type Command, type CommandContext, parseCommandArgs } from "#core/cli/command.js";
import { probe, probeHelp } from "#core/cli/engine-probe.js";
import {
  buildEngine,
  defaultDataDir,
  defaultPort,
  type EngineHandle,
  engineProjectDir,
  engineStatus,
  startEngine,
  stopEngine,
} from "#core/engine/local-engine.js";
import { engineStartOptions } from "#core/options/platform.js";
import { cliNames, parseOptions } from "#core/options/rules.js";
import { UsageError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";
import { formatDuration, step } from "#core/util/progress.js";

const help = `Usage: camunda-gitops engine <start|stop|status|build|probe> [options]

Runs the local Camunda 7.23 engine (engine/, REST API and webapps like the production
camunda/camunda-bpm-platform:run-7.23.0 image) in the background.

  engine start [--port N] [--db h2|postgres] [--host ADDRESS] [--data-dir DIR]
      Builds the engine jar with Maven if it is missing or engine/ changed, starts the engine and waits
      until /engine-rest/engine answers. Does nothing but report when it already runs.
        --port N          HTTP port (default ${defaultPort})
        --db h2|postgres  H2 files in the data folder (default), or PostgreSQL from
                          SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME, SPRING_DATASOURCE_PASSWORD
        --host ADDRESS    address to listen on (default 127.0.0.1; 0.0.0.0 exposes it)
        --data-dir DIR    one folder per engine: database, log, pid file, credentials
                          (default .local/engine); use another one to run a second engine
      The admin user is CAMUNDA_BPM_ADMIN_USER_ID / CAMUNDA_BPM_ADMIN_USER_PASSWORD when set; otherwise
      a password is generated once into <data-dir>/credentials.json (user "admin").

  engine stop [--data-dir DIR]
      Stops the engine started from that data folder (SIGTERM, SIGKILL after 30 s).

  engine status [--data-dir DIR]
      Says whether the engine runs and answers. Exit code 0 when it answers, 1 otherwise.

  engine build [--force]
      Builds engine/target/camunda-engine.jar if it is missing or stale (always with --force).

${probeHelp}

Exit codes: 0 ok, 1 the work failed, 2 usage or configuration error.`;

const subcommands = ["start", "stop", "status", "build", "probe"] as const;

function dataDirOption(value: string | undefined, context: CommandContext): string {
  return value === undefined ? defaultDataDir(context.root) : path.resolve(value);
}

function printHandle(handle: EngineHandle, context: CommandContext): void {
  const database =
    handle.db === "h2" ? `H2 in ${displayPath(path.join(handle.dataDir, "h2"))}` : "PostgreSQL";
  const login = handle.credentialsFile
    ? `user "${handle.credentials.username}", password in ${displayPath(handle.credentialsFile)}`
    : `user "${handle.credentials.username}", password from CAMUNDA_BPM_ADMIN_USER_PASSWORD`;
  console.log(
    [
      `${handle.alreadyRunning ? "Engine already running" : "Engine running"} (pid ${handle.pid}, ${database})`,
      `  REST API:  ${handle.restUrl}`,
      `  Cockpit:   ${handle.cockpitUrl}`,
      `  Webapps:   ${handle.webappUrl}`,
      `  Login:     ${login}`,
      `  Log:       ${displayPath(handle.logFile)}`,
      `Stop it with: camunda-gitops engine stop${handle.dataDir === path.resolve(defaultDataDir(context.root)) ? "" : ` --data-dir ${displayPath(handle.dataDir)}`}`,
    ].join("\n"),
  );
}

async function start(argv: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs("engine start", argv, {
    port: { type: "string" },
    db: { type: "string" },
    host: { type: "string" },
    "data-dir": { type: "string" },
  });
  // Port and database stay undefined when not given: `engine start` then accepts an engine already running.
  const options = parseOptions(engineStartOptions, values, cliNames("engine start"));
  const handle = await step("Starting the local Camunda engine", (s) =>
    startEngine({
      port: options.port,
      db: options.db,
      ...(options.host ? { host: options.host } : {}),
      dataDir: dataDirOption(options["data-dir"], context),
      engineDir: engineProjectDir(context.root),
      onProgress: s.update,
    }),
  );
  printHandle(handle, context);
  return 0;
}

async function stop(argv: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs("engine stop", argv, { "data-dir": { type: "string" } });
  const dataDir = dataDirOption(values["data-dir"], context);
  const status = await engineStatus({ dataDir });
  if (!status.running) {
    await stopEngine({ dataDir }); // clears a stale pid file, signals nothing
    console.log(`No engine is running for ${displayPath(status.dataDir)}; nothing to stop.`);
    return 0;
  }
  const result = await step(`Stopping the engine (pid ${status.pid})`, () => stopEngine({ dataDir }));
  console.log(
    result.forced
      ? `Engine stopped (pid ${result.pid} ignored SIGTERM and was killed).`
      : `Engine stopped (pid ${result.pid}).`,
  );
  return 0;
}

async function status(argv: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs("engine status", argv, { "data-dir": { type: "string" } });
  const current = await engineStatus({ dataDir: dataDirOption(values["data-dir"], context) });
  if (!current.running) {
    console.log(
      `Engine not running (data folder ${displayPath(current.dataDir)}). Start it with: camunda-gitops engine start`,
    );
    return 1;
  }
  const since = current.startedAt ? `, up ${formatDuration(Date.now() - Date.parse(current.startedAt))}` : "";
  console.log(
    [
      `Engine ${current.answering ? "running" : "running but not answering (starting, or see its log)"} (pid ${current.pid}, port ${current.port}, ${current.db === "h2" ? "H2" : "PostgreSQL"}${since})`,
      `  REST API:  ${current.restUrl}`,
      `  Cockpit:   ${current.cockpitUrl}`,
      `  Log:       ${displayPath(current.logFile)}`,
    ].join("\n"),
  );
  return current.answering ? 0 : 1;
}

async function build(argv: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs("engine build", argv, { force: { type: "boolean" } });
  const result = await step("Building the local engine", (s) =>
    buildEngine({
      engineDir: engineProjectDir(context.root),
      force: values.force === true,
      onProgress: s.update,
    }),
  );
  console.log(
    result.built
      ? `Built ${displayPath(result.jar)} in ${formatDuration(result.durationMs)}.`
      : `${displayPath(result.jar)} is up to date.`,
  );
  return 0;
}

export const command: Command = {
  help,
  async run(argv, context) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case "start":
        return start(rest, context);
      case "stop":
        return stop(rest, context);
      case "status":
        return status(rest, context);
      case "build":
        return build(rest, context);
      case "probe":
        return probe(rest, context);
      default:
        throw new UsageError(
          sub === undefined
            ? `engine: say what to do: ${subcommands.join(", ")}; see \`camunda-gitops engine --help\`.`
            : `engine: unknown subcommand "${sub}" (expected ${subcommands.join(", ")}); see \`camunda-gitops engine --help\`.`,
        );
    }
  },
};
