/**
 * A small inter-process lock: a file created exclusively that holds the owner's pid. Two `engine start`
 * runs (a terminal and the test runner, say) must not run Maven into the same target folder or spawn
 * two engines on one data folder. A lock whose owner has died is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { sleep } from "#core/util/sleep.js";

function ownerAlive(lockFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, "utf8").trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryAcquire(lockFile: string): boolean {
  try {
    const fd = openSync(lockFile, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  }
}

/**
 * Runs fn while holding lockFile. Waits (calling onWait once) while another live process holds it.
 * Not re-entrant within one process: nested calls on the same file would wait for ever, so callers
 * take each lock at exactly one level.
 */
export async function withFileLock<T>(
  lockFile: string,
  fn: () => Promise<T>,
  options: { onWait?: () => void; pollMs?: number } = {},
): Promise<T> {
  let told = false;
  while (!tryAcquire(lockFile)) {
    if (!ownerAlive(lockFile)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (!told) options.onWait?.();
    told = true;
    await sleep(options.pollMs ?? 500);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
