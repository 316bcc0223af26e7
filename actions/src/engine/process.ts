/**
 * The engine's JVM as an operating-system process: started detached in its own process group (it
 * outlives the CLI and is stopped as a group), its output in the log file, and stopped with SIGTERM
 * (Spring closes the engine and the database) then SIGKILL after a grace period.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { UserError } from "#core/util/errors.js";
import { waitUntil } from "#core/util/wait.js";
import { isAlive } from "./state.js";

export interface SpawnedEngine {
  pid: number;
  /** True once the process has exited (during startup this means it failed). */
  exited(): boolean;
  /** Its exit code, once it has exited with one. */
  exitCode(): number | null | undefined;
}

/** Starts `java args…` in `cwd`, detached, with stdout and stderr appended to the new log file. */
export async function spawnEngine(options: {
  java: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
}): Promise<SpawnedEngine> {
  const logFd = openSync(options.logFile, "w", 0o600);
  let child: ChildProcess;
  try {
    child = spawn(options.java, options.args, {
      cwd: options.cwd,
      env: options.env,
      // Detached: own process group, survives the CLI, and can be stopped as a group.
      detached: true,
      stdio: ["ignore", logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const exit: { value?: { code: number | null } } = {};
  const spawnFailure = new Promise<Error>((resolve) => child.once("error", resolve));
  child.once("exit", (code) => {
    exit.value = { code };
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    const error = await spawnFailure;
    throw new UserError(
      `The engine could not be started: ${error.message}; check that \`${options.java}\` runs.`,
    );
  }
  return { pid, exited: () => exit.value !== undefined, exitCode: () => exit.value?.code };
}

async function signalGroup(pid: number, signal: NodeJS.Signals): Promise<void> {
  try {
    // The engine was spawned detached: it leads its own process group, so -pid reaches all of it.
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    try {
      process.kill(pid, signal);
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code !== "ESRCH") throw inner;
    }
  }
}

function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  return waitUntil(() => !isAlive(pid), { timeoutMs, intervalMs: 200 });
}

/** SIGTERM (Spring closes the engine and the database), then SIGKILL after the grace period. */
export async function terminate(pid: number, graceMs: number): Promise<{ forced: boolean }> {
  await signalGroup(pid, "SIGTERM");
  if (await waitForExit(pid, graceMs)) return { forced: false };
  await signalGroup(pid, "SIGKILL");
  if (await waitForExit(pid, 10_000)) return { forced: true };
  throw new UserError(
    `The engine process ${pid} did not exit even after SIGKILL; check it with \`ps -p ${pid}\`.`,
  );
}
