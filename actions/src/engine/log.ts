/**
 * The engine's log file in its data folder: where it is, keeping the previous run's log, and reading
 * the lines that explain a failed start.
 */
import { existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";

export function logFileOf(dataDir: string): string {
  return path.join(dataDir, "engine.log");
}

/** Keeps the previous run's log beside the new one, so a failed restart does not erase the evidence. */
export function rotateLog(logFile: string): void {
  if (existsSync(logFile)) renameSync(logFile, logFile.replace(/\.log$/, ".previous.log"));
}

const shorten = (line: string) => (line.length > 300 ? `${line.slice(0, 300)}…` : line);

/** The last lines of the engine log. */
export function logTail(logFile: string, lines = 20): string[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-lines)
    .map(shorten);
}

/**
 * What explains a failed start, for error details: the log's ERROR lines (message part only), the
 * innermost "Caused by" and Spring's failure analysis; the plain tail when there is none of those
 * (e.g. the JVM refused its options). A stack trace's frames say nothing to the user.
 */
export function startupFailureLines(logFile: string): string[] {
  if (!existsSync(logFile)) return [];
  const lines = readFileSync(logFile, "utf8").split("\n");
  const picked: string[] = [];
  const add = (line: string) => {
    const text = shorten(line);
    if (text.trim() && !picked.includes(text)) picked.push(text);
  };
  for (const line of lines) {
    const error = / ERROR \d+ --- \[[^\]]*\] \S+\s+: (.*)$/.exec(line);
    if (error?.[1]) add(error[1]);
  }
  const causes = lines.filter((line) => line.startsWith("Caused by:"));
  if (causes.length > 0) add(causes[causes.length - 1]!);
  const analysis = lines.findIndex((line) => line.includes("APPLICATION FAILED TO START"));
  if (analysis >= 0) {
    for (const line of lines.slice(analysis + 1, analysis + 12)) if (!/^\*+$/.test(line.trim())) add(line);
  }
  return picked.length > 0 ? picked.slice(0, 15) : logTail(logFile);
}
