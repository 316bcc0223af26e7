/**
 * From an environment name to what a release needs: the validated environment file, the release
 * target it describes, credentials from the process environment, and a Camunda client that retries
 * connection failures and 502/503/504 with backoff (and says so on every retry).
 */
import {
  type CamundaClient,
  createCamundaClient,
  localCredentialsFile,
  resolveCamundaCredentials,
} from "#core/camunda/index.js";
import { environmentsDir, type LoadedEnvironment, loadEnvironment } from "#core/environments/load.js";
import type { ReleaseTarget } from "./plan.js";

export interface Connection {
  environment: LoadedEnvironment;
  target: ReleaseTarget;
  client: CamundaClient;
  /** User name only, for messages; the password never leaves the client. */
  username: string;
  allowSmokeTests: boolean;
}

export interface ConnectOptions {
  /** The checkout whose environments/ (and, for local, whose engine credentials) to use. */
  root: string;
  env?: NodeJS.ProcessEnv;
  retries?: number;
  /** Where retry notices go; default stderr. */
  log?: (line: string) => void;
}

export function releaseTarget(environment: LoadedEnvironment): ReleaseTarget {
  const camunda = environment.config.camunda;
  return {
    environment: environment.config.name,
    restUrl: camunda.restUrl.replace(/\/+$/, ""),
    tenantId: camunda.tenantId ?? null,
    deploymentName: camunda.deploymentName,
    deploymentSource: camunda.deploymentSource,
    migration: camunda.migration,
    removedProcesses: camunda.removedProcesses,
  };
}

export function connect(environmentName: string, options: ConnectOptions): Connection {
  const env = options.env ?? process.env;
  const environment = loadEnvironment(environmentName, { env, dir: environmentsDir(options.root) });
  const credentials = resolveCamundaCredentials({
    environmentName,
    env,
    // Only the local engine has a generated credentials file; every other engine needs the variables.
    ...(environmentName === "local" ? { localFile: localCredentialsFile(options.root) } : {}),
  });
  const retries = options.retries ?? 4;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const target = releaseTarget(environment);
  const client = createCamundaClient({
    baseUrl: target.restUrl,
    username: credentials.username,
    password: credentials.password,
    retries,
    backoffMs: 500,
    maxBackoffMs: 8_000,
    onRetry: ({ attempt, delayMs, reason }) =>
      log(
        `  ${target.restUrl} did not answer (${reason}); retry ${attempt} of ${retries} in ${(delayMs / 1000).toFixed(1)}s`,
      ),
  });
  return {
    environment,
    target,
    client,
    username: credentials.username,
    allowSmokeTests: environment.config.camunda.allowSmokeTests,
  };
}
