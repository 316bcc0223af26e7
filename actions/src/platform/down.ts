/**
 * `camunda-gitops down`: stops what `up` started — the workers process, and the engine only when `up`
 * started it — and nothing else.
 */
import { stopEngine } from "#core/engine/local-engine.js";
import { waitUntil } from "#core/util/wait.js";
import { clearState, isAlive, platformFiles, readState } from "./state.js";

export interface DownResult {
  workers: "stopped" | "not running";
  engine: "stopped" | "left running (not started by up)" | "not running";
}

/** SIGTERM, then wait for the workers' own graceful drain; SIGKILL only past the grace period. */
export async function stopWorkers(pid: number, graceMs = 30_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  if (!(await waitUntil(() => !isAlive(pid), { timeoutMs: graceMs, intervalMs: 100 })))
    process.kill(pid, "SIGKILL");
}

/** `root`: the checkout whose platform `up` started. */
export async function down(root: string): Promise<DownResult> {
  const { stateFile } = platformFiles(root);
  const state = readState(stateFile);
  if (!state) return { workers: "not running", engine: "not running" };
  let workers: DownResult["workers"] = "not running";
  if (state.workers && isAlive(state.workers.pid)) {
    await stopWorkers(state.workers.pid);
    workers = "stopped";
  }
  let engine: DownResult["engine"] = "left running (not started by up)";
  if (state.engine.startedByUp) {
    const stopped = await stopEngine({ dataDir: state.engine.dataDir });
    engine = stopped.wasRunning ? "stopped" : "not running";
  }
  clearState(stateFile);
  return { workers, engine };
}
