/**
 * The checkout under test, for tests, benchmarks and scripts. They are entry points, so they may find
 * it from where this file sits; the code under test never does and is always told.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function repoPath(...segments: string[]): string {
  return path.join(repoRoot, ...segments);
}

/** The engine's Maven project, which startEngine builds when its jar is missing or stale. */
export const engineDir = repoPath("engine");
