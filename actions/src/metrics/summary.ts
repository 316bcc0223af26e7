/**
 * The exporter's figures as a person reads them in `camunda-gitops status`: what waits (backlog and
 * its oldest task per topic, open reviews and the oldest one), what is broken (incidents), and what
 * flows (instances finished in the last minutes). One poll with the exporter's own collector, so the
 * terminal and a dashboard never disagree about a number.
 */
import type { EngineCollector } from "./collect.js";
import type { EngineSnapshot } from "./snapshot.js";

export interface WorkSummary {
  backlog: { total: number; topics: Array<{ topic: string; waiting: number; oldestSeconds?: number }> };
  locked: number;
  userTasks: {
    total: number;
    groups: Array<{ candidateGroup: string | null; open: number; oldestSeconds?: number }>;
    /** The group whose oldest task has waited longest (the review to pick up first). */
    oldest?: { candidateGroup: string | null; seconds: number };
  };
  incidents: {
    total: number;
    groups: Array<{ processDefinitionKey: string; activityId: string; incidentType: string; count: number }>;
  };
  failedJobs: number;
  throughput: { windowMinutes: number; finished: Record<string, number>; perMinute: number };
}

export const throughputWindowMinutes = 15;

/** Summarises one poll, and counts the instances finished in the last 15 minutes with the same query. */
export async function summariseWork(collector: EngineCollector, now = Date.now()): Promise<WorkSummary> {
  const snapshot = await collector.collect();
  const from = now - throughputWindowMinutes * 60_000;
  const keys = [...new Set(snapshot.definitions.map((d) => d.key))].sort();
  const counts = await Promise.all(keys.map((key) => collector.countFinished(key, from, now)));
  return summarise(snapshot, Object.fromEntries(keys.map((key, i) => [key, counts[i] ?? 0])));
}

export function summarise(snapshot: EngineSnapshot, finished: Record<string, number>): WorkSummary {
  const topics = snapshot.topics
    .filter((t) => t.backlog > 0)
    .map((t) => ({
      topic: t.topic,
      waiting: t.backlog,
      ...(t.oldestBacklogAgeSeconds !== undefined ? { oldestSeconds: t.oldestBacklogAgeSeconds } : {}),
    }));
  const groups = snapshot.userTasks.map((g) => ({
    candidateGroup: g.candidateGroup,
    open: g.open,
    ...(g.oldestAgeSeconds !== undefined ? { oldestSeconds: g.oldestAgeSeconds } : {}),
  }));
  const oldest = groups
    .filter((g) => g.oldestSeconds !== undefined)
    .sort((a, b) => (b.oldestSeconds ?? 0) - (a.oldestSeconds ?? 0))[0];
  const total = Object.values(finished).reduce((sum, n) => sum + n, 0);
  return {
    backlog: { total: topics.reduce((sum, t) => sum + t.waiting, 0), topics },
    locked: snapshot.topics.reduce((sum, t) => sum + t.locked, 0),
    userTasks: {
      total: groups.reduce((sum, g) => sum + g.open, 0),
      groups,
      ...(oldest
        ? { oldest: { candidateGroup: oldest.candidateGroup, seconds: oldest.oldestSeconds ?? 0 } }
        : {}),
    },
    incidents: { total: snapshot.incidents.reduce((sum, i) => sum + i.count, 0), groups: snapshot.incidents },
    failedJobs: snapshot.definitions.reduce((sum, d) => sum + d.failedJobs, 0),
    throughput: {
      windowMinutes: throughputWindowMinutes,
      finished,
      perMinute: Math.round((total / throughputWindowMinutes) * 10) / 10,
    },
  };
}

/** 75 → "1m 15s", 7300 → "2h 1m", 30 → "30s". */
export function formatAge(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** A few lines under a "Work:" heading for the terminal. */
export function formatWork(work: WorkSummary): string[] {
  const lines = ["Work:"];
  const topics = work.backlog.topics
    .map(
      (t) =>
        `${t.topic} ${t.waiting}${t.oldestSeconds !== undefined ? ` (oldest ${formatAge(t.oldestSeconds)})` : ""}`,
    )
    .join(", ");
  lines.push(
    `  backlog     ${work.backlog.total} external task(s) waiting for a worker${topics ? `: ${topics}` : ""}; ${work.locked} in progress`,
  );
  const group = (name: string | null) => name ?? "no group";
  const oldest = work.userTasks.oldest;
  lines.push(
    `  reviews     ${work.userTasks.total} open user task(s)${
      work.userTasks.groups.length > 0
        ? `: ${work.userTasks.groups.map((g) => `${group(g.candidateGroup)} ${g.open}`).join(", ")}`
        : ""
    }${oldest ? `; oldest waiting ${formatAge(oldest.seconds)} (${group(oldest.candidateGroup)})` : ""}`,
  );
  lines.push(
    `  incidents   ${work.incidents.total}${
      work.incidents.groups.length > 0
        ? `: ${work.incidents.groups.map((i) => `${i.processDefinitionKey}/${i.activityId} ${i.incidentType} ${i.count}`).join(", ")}`
        : ""
    }${work.failedJobs > 0 ? `; ${work.failedJobs} failed job(s)` : ""}`,
  );
  const finished = Object.entries(work.throughput.finished)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${key} ${n}`)
    .join(", ");
  lines.push(
    `  throughput  ${work.throughput.perMinute}/min over the last ${work.throughput.windowMinutes} min${finished ? ` (finished: ${finished})` : " (nothing finished)"}`,
  );
  return lines;
}
