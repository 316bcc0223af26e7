/**
 * What `camunda-gitops up` started, so that `down` stops exactly that and nothing else: the workers
 * process it spawned, and the engine only when `up` itself started it (an engine started earlier with
 * `engine start` is left running).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
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

export interface PlatformState {
  startedAt: string;
  engine: { dataDir: string; startedByUp: boolean; db: string; port: number };
  workers: { pid: number; port: number; logFile: string; dataDir: string } | null;
  /** The business metrics exporter (`camunda-gitops metrics`); absent in states written before it existed. */
  exporter?: { pid: number; port: number; logFile: string } | null;
}

export function readState(file: string): PlatformState | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PlatformState;
  } catch {
    return null;
  }
}

export function writeState(state: PlatformState, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, file);
}

export function clearState(file: string): void {
  rmSync(file, { force: true });
}

/** Zombie-aware (an exited child that nobody reaped counts as gone); shared with the engine control. */
export { isAlive } from "#core/engine/state.js";
