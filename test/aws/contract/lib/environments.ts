/** The checkout's environment files, loaded the way the CLI loads them. */
import { listEnvironments, loadEnvironment } from "#core/environments/load.js";
import type { EnvironmentConfig } from "#core/environments/schema.js";
import { repoPath } from "../../../support/repo.js";

export const environmentsFolder = repoPath("environments");

export function allEnvironments(): EnvironmentConfig[] {
  return listEnvironments(environmentsFolder).map(
    (name) => loadEnvironment(name, { dir: environmentsFolder }).config,
  );
}
