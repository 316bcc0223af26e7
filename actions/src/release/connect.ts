/**
 * From an environment name to what a release needs: the validated environment file, the release
 * target it describes, credentials from the process environment, and a Camunda client that retries
 * connection failures and 502/503/504 with backoff (and says so on every retry).
 */

import path from "node:path";
import {
  type CamundaClient,
  createCamundaClient,
  localCredentialsFile,
  resolveCamundaCredentials,
} from "#core/camunda/index.js";
import { environmentsDir, type LoadedEnvironment, loadEnvironment } from "#core/environments/load.js";
import { generatedPasswordsFile, type IdentitySetup, passwordResolver } from "#core/identities/index.js";
import { displayPath, localDir } from "#core/util/paths.js";
import type { ReleaseTarget } from "./plan.js";

export interface Connection {
  environment: LoadedEnvironment;
  target: ReleaseTarget;
  client: CamundaClient;
  /** User name only, for messages; the password never leaves the client. */
  username: string;
  /** The client's own password, for the one call that needs it again (changing another user's password). */
  authenticatedUserPassword: () => string;
  allowSmokeTests: boolean;
  /** The environment file's identities, ready to plan and apply; null when it declares none. */
  identities: IdentitySetup | null;
  /** Which engine this is and why, in one line for the person running the command. */
  engine: string;
}

/**
 * The engine an environment's commands talk to. For `local`, the engine this checkout runs (started by
 * `npm start`/`up` or `engine start`, on whatever port it was given) wins over the file's URL, so a
 * plan or release never goes to another engine on the file's port; an explicit CAMUNDA_URL wins over both.
 */
export function chooseEngine(
  environment: LoadedEnvironment,
  options: { env: NodeJS.ProcessEnv; localEngine?: ConnectOptions["localEngine"] },
): { restUrl: string; why: string } {
  const name = environment.config.name;
  const fileUrl = environment.config.camunda.restUrl.replace(/\/+$/, "");
  if (options.env.CAMUNDA_URL) return { restUrl: fileUrl, why: "from CAMUNDA_URL" };
  const running = name === "local" ? options.localEngine : undefined;
  if (running) {
    return {
      restUrl: running.restUrl,
      why: `the local engine of this checkout (pid ${running.pid}, port ${running.port}, ${running.db}); set CAMUNDA_URL to use another`,
    };
  }
  return {
    restUrl: fileUrl,
    why: `from environments/${name}.yaml${name === "local" ? " (no local engine runs in this checkout)" : ""}; set CAMUNDA_URL to use another`,
  };
}

export interface ConnectOptions {
  /** The checkout whose environments/ (and, for local, whose engine credentials) to use. */
  root: string;
  env?: NodeJS.ProcessEnv;
  retries?: number;
  /** Where retry notices go; default stderr. */
  log?: (line: string) => void;
  /**
   * The engine this checkout runs (the CLI looks it up: engine/running.ts); used for `local` unless
   * CAMUNDA_URL is set. The actions never pass one: a runner has no local engine.
   */
  localEngine?: { restUrl: string; pid: number; port: number; db: string } | undefined;
  /**
   * The local engine's data folder, whose users.json holds the generated passwords of the local
   * environment's users; default the checkout's .local/engine. Only the local environment has one.
   */
  engineDataDir?: string;
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
  const engine = chooseEngine(environment, { env, localEngine: options.localEngine });
  const target = { ...releaseTarget(environment), restUrl: engine.restUrl };
  const environmentFile = displayPath(environment.file);
  const client = createCamundaClient({
    grantHint: { environmentFile },
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
  const identities = environment.config.identities;
  return {
    environment,
    target,
    client,
    username: credentials.username,
    authenticatedUserPassword: () => credentials.password,
    allowSmokeTests: environment.config.camunda.allowSmokeTests,
    engine: `${target.restUrl} (${engine.why})`,
    identities: identities
      ? {
          environment: environmentName,
          environmentFile,
          config: identities,
          passwords: passwordResolver({
            env,
            environmentFile,
            generatedFile:
              environmentName === "local"
                ? generatedPasswordsFile(options.engineDataDir ?? path.join(localDir(options.root), "engine"))
                : undefined,
          }),
        }
      : null,
  };
}
