import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, derived from this file's location so the CLI works from any working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Git-ignored folder for everything local runs create: engine data, pid files, credentials, logs. */
export const localDir = path.join(repoRoot, ".local");

export function repoPath(...segments: string[]): string {
  return path.join(repoRoot, ...segments);
}

/** A path relative to the repository root with forward slashes, as reports and annotations want it. */
export function relativeToRepo(file: string): string {
  return path.relative(repoRoot, path.resolve(file)).split(path.sep).join("/");
}
