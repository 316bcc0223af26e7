/**
 * What `camunda-gitops up` started, so that `down` stops exactly that and nothing else: the workers
 * process it spawned, and the engine only when `up` itself started it (an engine started earlier with
 * `engine start` is left running).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonFile } from "#core/util/json-file.js";
import { localDir } from "#core/util/paths.js";

/** Where a checkout keeps the platform's state and the workers' log. */
export function platformFiles(root: string): {
  dir: string;
  stateFile: string;
  workersLogFile: string;
  exporterLogFile: string;
} {
  const dir = path.join(localDir(root), "platform");
  return {
    dir,
    stateFile: path.join(dir, "state.json"),
    workersLogFile: path.join(dir, "workers.log"),
    exporterLogFile: path.join(dir, "metrics.log"),
  };
}

const childProcess = z.object({ pid: z.number(), port: z.number(), logFile: z.string() });

const platformStateSchema = z.object({
  startedAt: z.string(),
  engine: z.object({ dataDir: z.string(), startedByUp: z.boolean(), db: z.string(), port: z.number() }),
  workers: childProcess.extend({ dataDir: z.string() }).nullable(),
  /** The business metrics exporter (`camunda-gitops metrics`); absent in states written before it existed. */
  exporter: childProcess.nullable().optional(),
});

export type PlatformState = z.infer<typeof platformStateSchema>;

/** What `up` wrote, or null when there is no state file or it cannot be read (treated as not running). */
export function readState(file: string): PlatformState | null {
  const read = readJsonFile(file, platformStateSchema);
  return read.ok ? read.value : null;
}

export function writeState(state: PlatformState, file: string): void {
  writeJsonFile(file, state);
}

export function clearState(file: string): void {
  rmSync(file, { force: true });
}

/** Zombie-aware (an exited child that nobody reaped counts as gone); shared with the engine control. */
export { isAlive } from "#core/engine/state.js";
