import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "#core/util/errors.js";
import { displayPath, localDir } from "#core/util/paths.js";

export interface CamundaCredentials {
  username: string;
  password: string;
  /** Where they came from, for messages (never the password itself). */
  source: string;
}

/** Written by `camunda-gitops engine start` when no admin password was given. Git-ignored. */
export function localCredentialsFile(root: string): string {
  return path.join(localDir(root), "engine", "credentials.json");
}

/**
 * Credentials for a Camunda client: CAMUNDA_USERNAME / CAMUNDA_PASSWORD from the environment, or —
 * for the local engine only — the generated local credentials file. Anything else is a usage error
 * that says which variables to set.
 */
export function resolveCamundaCredentials(
  options: {
    environmentName?: string;
    env?: NodeJS.ProcessEnv;
    /** The local engine's generated credentials file (localCredentialsFile): only the local environment has one. */
    localFile?: string;
  } = {},
): CamundaCredentials {
  const env = options.env ?? process.env;
  const where = options.environmentName ? ` for environment "${options.environmentName}"` : "";
  if (env.CAMUNDA_USERNAME && env.CAMUNDA_PASSWORD) {
    return {
      username: env.CAMUNDA_USERNAME,
      password: env.CAMUNDA_PASSWORD,
      source: "CAMUNDA_USERNAME/CAMUNDA_PASSWORD",
    };
  }
  if (env.CAMUNDA_USERNAME || env.CAMUNDA_PASSWORD) {
    const missing = env.CAMUNDA_USERNAME ? "CAMUNDA_PASSWORD" : "CAMUNDA_USERNAME";
    throw new UsageError(`${missing} is not set${where}; set both CAMUNDA_USERNAME and CAMUNDA_PASSWORD.`);
  }
  const file = options.localFile;
  if (file !== undefined && existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as { username?: unknown; password?: unknown };
      if (typeof parsed.username === "string" && typeof parsed.password === "string") {
        return { username: parsed.username, password: parsed.password, source: displayPath(file) };
      }
    } catch {
      // fall through to the error below, which says what to do
    }
    throw new UsageError(
      `${displayPath(file)} is not valid ({"username","password"} expected); delete it and run \`camunda-gitops engine start\` again.`,
    );
  }
  const hint = file !== undefined ? " or start the local engine with `camunda-gitops engine start`" : "";
  throw new UsageError(`no Camunda credentials${where}: set CAMUNDA_USERNAME and CAMUNDA_PASSWORD${hint}.`);
}
