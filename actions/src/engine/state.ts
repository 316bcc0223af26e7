/**
 * The state file of a local engine (`<dataDir>/engine.json`) and the checks that decide whether the
 * process it names is still that engine. Stopping relies on this: a pid alone may have been reused by
 * an unrelated process since, so a process only counts as the engine when its command line carries
 * the data-folder marker the engine was started with.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonFile } from "#core/util/json-file.js";

export const engineDbs = ["h2", "postgres"] as const;
export type EngineDb = (typeof engineDbs)[number];

const engineStateSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().positive(),
  host: z.string(),
  db: z.enum(engineDbs),
  startedAt: z.string(),
  logFile: z.string(),
  /** Port of the JMX exporter agent's /metrics (absent when the engine runs without it). */
  jvmMetricsPort: z.number().int().positive().optional(),
});

export type EngineState = z.infer<typeof engineStateSchema>;

export function stateFile(dataDir: string): string {
  return path.join(dataDir, "engine.json");
}

/** The state file's content, or undefined when there is none or it cannot be read (treated as not running). */
export function readState(dataDir: string): EngineState | undefined {
  const read = readJsonFile(stateFile(dataDir), engineStateSchema);
  return read.ok ? read.value : undefined;
}

export function writeState(dataDir: string, state: EngineState): void {
  writeJsonFile(stateFile(dataDir), state);
}

export function removeState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true });
}

/** The JVM system property that marks the engine process of one data folder. */
export function processMarker(dataDir: string): string {
  return `-Dcamunda.gitops.engine.dataDir=${path.resolve(dataDir)}`;
}

interface ProcessInfo {
  /** Exited but not yet reaped by its parent: as good as gone. */
  zombie: boolean;
  args: string[];
}

/** The state letter of a /proc stat line; it follows the parenthesised command name, which may contain ") ". */
function threadState(stat: string): string {
  const end = stat.lastIndexOf(")");
  return stat.slice(end + 2, end + 3);
}

function processInfo(pid: number): ProcessInfo | undefined {
  // Linux: /proc needs no extra tool (slim containers often lack `ps`).
  const proc = `/proc/${pid}`;
  if (existsSync("/proc/self/stat")) {
    try {
      const args = readFileSync(`${proc}/cmdline`, "utf8").split("\0").filter(Boolean);
      // The leader thread of a JVM that is shutting down can already be a zombie while other threads
      // still run, so the process only counts as gone when every one of its threads is.
      const threads = readdirSync(`${proc}/task`);
      const zombie = threads.every((task) => {
        try {
          return /^[ZX]$/.test(threadState(readFileSync(`${proc}/task/${task}/stat`, "utf8")));
        } catch {
          return true; // the thread ended while we looked
        }
      });
      return { zombie, args };
    } catch {
      return undefined;
    }
  }
  const ps = spawnSync("ps", ["-ww", "-o", "stat=", "-o", "args=", "-p", String(pid)], { encoding: "utf8" });
  const line = ps.status === 0 ? ps.stdout.trim() : "";
  if (!line) return undefined;
  const [stat = "", ...rest] = line.split(/\s+/);
  return { zombie: stat.startsWith("Z"), args: rest };
}

/** True while pid is a live (non-zombie) process. */
export function isAlive(pid: number): boolean {
  const info = processInfo(pid);
  return info !== undefined && !info.zombie;
}

/** True when pid is alive and is the engine started for dataDir. */
export function isEngineProcess(pid: number, dataDir: string): boolean {
  const info = processInfo(pid);
  if (!info || info.zombie) return false;
  const marker = processMarker(dataDir);
  // `ps` joins arguments with spaces, so a data folder with spaces is matched on the joined line.
  return info.args.includes(marker) || info.args.join(" ").includes(marker);
}
