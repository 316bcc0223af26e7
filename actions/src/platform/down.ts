/**
 * `camunda-gitops down`: stops what `up` started — the metrics exporter, the workers, and the engine only when `up`
 * started it — and nothing else. Each stop is a named step (what is stopped, its pid), so a stop that
 * takes a moment never looks like a hang.
 */
import { engineStatus, stopEngine } from "#core/engine/local-engine.js";
import { step as progressStep } from "#core/util/progress.js";
import { waitUntil } from "#core/util/wait.js";
import { clearState, isAlive, platformFiles, readState } from "./state.js";

export interface DownResult {
  workers: "stopped" | "not running";
  exporter: "stopped" | "not running";
  engine: "stopped" | "left running (not started by up)" | "not running";
}

/** SIGTERM, then wait for the process's own graceful stop (the workers drain); SIGKILL only past the grace period. */
export async function stopWorkers(pid: number, graceMs = 30_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  if (!(await waitUntil(() => !isAlive(pid), { timeoutMs: graceMs, intervalMs: 50 })))
    process.kill(pid, "SIGKILL");
}

export interface DownOptions {
  step?: typeof progressStep;
}

/** `root`: the checkout whose platform `up` started. */
export async function down(root: string, options: DownOptions = {}): Promise<DownResult> {
  const step = options.step ?? progressStep;
  const { stateFile } = platformFiles(root);
  const state = readState(stateFile);
  if (!state) return { workers: "not running", exporter: "not running", engine: "not running" };
  let exporter: DownResult["exporter"] = "not running";
  if (state.exporter && isAlive(state.exporter.pid)) {
    const pid = state.exporter.pid;
    await step(`Stopping the metrics exporter (pid ${pid})`, () => stopWorkers(pid, 10_000));
    exporter = "stopped";
  }
  let workers: DownResult["workers"] = "not running";
  if (state.workers && isAlive(state.workers.pid)) {
    const pid = state.workers.pid;
    await step(`Stopping the workers (pid ${pid}; running tasks finish or are unlocked)`, () =>
      stopWorkers(pid),
    );
    workers = "stopped";
  }
  let engine: DownResult["engine"] = "left running (not started by up)";
  if (state.engine.startedByUp) {
    const running = await engineStatus({ dataDir: state.engine.dataDir });
    if (running.running) {
      const stopped = await step(
        `Stopping the engine (pid ${running.pid}, ${running.db ?? state.engine.db}, port ${running.port})`,
        () => stopEngine({ dataDir: state.engine.dataDir }),
      );
      engine = stopped.wasRunning ? "stopped" : "not running";
    } else {
      await stopEngine({ dataDir: state.engine.dataDir }); // forgets a stale state file, signals nothing
      engine = "not running";
    }
  }
  clearState(stateFile);
  return { workers, exporter, engine };
}
