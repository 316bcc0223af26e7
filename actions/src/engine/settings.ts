/**
 * What one engine run is configured with: the defaults, the checks on the caller's choices, the
 * environment the JVM gets, and the URLs it answers on.
 */
import { UsageError } from "#core/util/errors.js";
import type { EngineCredentials } from "./credentials.js";
import { fixedEngineEnvironment } from "./launch-environment.js";
import type { EngineDb } from "./state.js";

export const defaultPort = 8080;
/** Loopback by default: the local engine is for this machine. Pass host "0.0.0.0" to expose it. */
export const defaultHost = "127.0.0.1";
export const defaultStartTimeoutMs = 180_000;
export const defaultStopGraceMs = 30_000;

/** The variables that select PostgreSQL, named as in the production container. */
export const postgresVariables = [
  "SPRING_DATASOURCE_URL",
  "SPRING_DATASOURCE_USERNAME",
  "SPRING_DATASOURCE_PASSWORD",
] as const;

export function engineUrls(host: string, port: number) {
  // A wildcard bind address is not something to connect to; loopback reaches it.
  const connectHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const authority = connectHost.includes(":") ? `[${connectHost}]` : connectHost;
  const base = `http://${authority}:${port}`;
  return {
    restUrl: `${base}/engine-rest`,
    webappUrl: `${base}/camunda/app/`,
    cockpitUrl: `${base}/camunda/app/cockpit/default/`,
  };
}

export function validatePort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UsageError(`The engine port must be an integer between 1 and 65535, got ${port}.`);
  }
}

export function checkPostgresSettings(env: Record<string, string | undefined>): void {
  const missing = postgresVariables.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new UsageError(
      `--db postgres needs ${missing.join(", ")} (as in production); set them to your PostgreSQL server, e.g. SPRING_DATASOURCE_URL=jdbc:postgresql://localhost:5432/camunda.`,
    );
  }
  const url = env.SPRING_DATASOURCE_URL ?? "";
  if (!url.startsWith("jdbc:postgresql:")) {
    throw new UsageError(
      `SPRING_DATASOURCE_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database) for --db postgres, got "${url.split("?")[0]}".`,
    );
  }
}

/** The environment the JVM gets: the caller's, the data folder, the port and exactly one database's settings. */
export function engineEnvironment(options: {
  base: Record<string, string | undefined>;
  db: EngineDb;
  dataDir: string;
  host: string;
  port: number;
  credentials: EngineCredentials;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(options.base)) if (value !== undefined) env[key] = value;
  if (options.db === "h2") {
    // A PostgreSQL URL left in the shell must not silently win over an explicit H2 choice.
    for (const name of [...postgresVariables, "SPRING_DATASOURCE_DRIVER_CLASS_NAME"]) delete env[name];
  }
  Object.assign(env, fixedEngineEnvironment);
  env.ENGINE_DATA_DIR = options.dataDir;
  env.SERVER_PORT = String(options.port);
  env.SERVER_ADDRESS = options.host;
  env.CAMUNDA_BPM_ADMIN_USER_ID = options.credentials.username;
  env.CAMUNDA_BPM_ADMIN_USER_PASSWORD = options.credentials.password;
  return env;
}
