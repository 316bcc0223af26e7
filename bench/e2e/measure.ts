/**
 * Where the time goes: CPU seconds per process from /proc (engine JVM, PostgreSQL server and its
 * backends, workers), the whole machine's busy time (the machine is shared, so others' load shows),
 * request latencies, and the workers' Prometheus histograms.
 */
import { readdirSync, readFileSync } from "node:fs";

const ticksPerSecond = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, and cutime + cstime (children already reaped), in seconds. */
  own: number;
  children: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces: split after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const n = (i: number) => Number(fields[i - 3]);
    return {
      pid,
      ppid: n(4),
      own: (n(14) + n(15)) / ticksPerSecond,
      children: (n(16) + n(17)) / ticksPerSecond,
    };
  } catch {
    return undefined;
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) out.push(stat);
  }
  return out;
}

/**
 * CPU seconds used so far by a process and all its descendants: live ones from their own counters,
 * exited ones through the reaped-children counters of their parents (PostgreSQL backends, for one).
 */
export function treeCpuSeconds(rootPid: number | undefined): number | undefined {
  if (rootPid === undefined) return undefined;
  const stats = allStats();
  const byParent = new Map<number, ProcStat[]>();
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return undefined;
  let total = 0;
  const queue = [root];
  while (queue.length > 0) {
    const s = queue.pop()!;
    total += s.own + s.children;
    queue.push(...(byParent.get(s.pid) ?? []));
  }
  return total;
}

/** Busy and total CPU seconds of the whole machine, from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond };
}

export function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Latencies in milliseconds per operation name. */
export class Latencies {
  private readonly samples = new Map<string, number[]>();
  record(operation: string, ms: number): void {
    const list = this.samples.get(operation) ?? [];
    list.push(ms);
    this.samples.set(operation, list);
  }
  summary(): Record<string, { count: number; medianMs: number; p95Ms: number }> {
    return Object.fromEntries(
      [...this.samples].map(([op, list]) => [
        op,
        { count: list.length, medianMs: median(list), p95Ms: percentile(list, 95) },
      ]),
    );
  }
}

/** Sums of the `<name>_sum` and `<name>_count` series of a Prometheus histogram, per label set matching `filter`. */
export function histogramTotals(
  text: string,
  name: string,
  filter: (labels: string) => boolean = () => true,
) {
  let sum = 0;
  let count = 0;
  for (const line of text.split("\n")) {
    const match = /^(\w+?)(_sum|_count)(\{[^}]*\})?\s+([0-9.eE+-]+)$/.exec(line.trim());
    if (!match || match[1] !== name || !filter(match[3] ?? "")) continue;
    if (match[2] === "_sum") sum += Number(match[4]);
    else count += Number(match[4]);
  }
  return { sum, count };
}

/** Per-topic totals of a histogram labelled by topic. */
export function histogramByTopic(text: string, name: string): Map<string, { sum: number; count: number }> {
  const out = new Map<string, { sum: number; count: number }>();
  for (const line of text.split("\n")) {
    const match = /^(\w+?)(_sum|_count)\{([^}]*)\}\s+([0-9.eE+-]+)$/.exec(line.trim());
    if (!match || match[1] !== name) continue;
    const topic = /topic="([^"]*)"/.exec(match[3]!)?.[1];
    if (!topic) continue;
    const entry = out.get(topic) ?? { sum: 0, count: 0 };
    if (match[2] === "_sum") entry.sum += Number(match[4]);
    else entry.count += Number(match[4]);
    out.set(topic, entry);
  }
  return out;
}
