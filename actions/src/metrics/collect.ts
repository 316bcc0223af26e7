/**
 * One poll of the engine's REST API for the platform's business state, made to stay cheap on the
 * engine however much work is queued: every figure is a count, a grouped report or one row, never a
 * list of all tasks or incidents, and the per-topic and per-group queries are made only for topics
 * and groups that have something open (one call each finds which).
 *
 *   topics        GET /external-task/topic-names (twice: waiting, locked) → per non-empty topic a count
 *                 and the oldest task (POST /external-task, sorted by createTime, one row)
 *   user tasks    GET /task/report/candidate-group-count (unassigned tasks per group) → per known group
 *                 the oldest open task (one row) and, when there is one, the count of open tasks
 *   definitions   GET /process-definition/statistics (running instances, failed jobs, incidents by type)
 *   incidents     GET /process-definition/{id}/statistics per definition with incidents (by activity)
 *   throughput    GET /history/process-instance/count per process key, over the time since the last poll
 *   meters        GET /metrics/{name}/sum per meter, at most every `metersIntervalMs`
 *
 * A task's creation time is not in the external task resource; it is its activity instance's start
 * (GET /history/activity-instance/{id}), read once per oldest task and then cached.
 *
 * Topics, candidate groups and incident groups once seen stay listed (at 0) for the exporter's life,
 * so a drained queue reads 0 rather than vanishing. With a tenant, every figure is that tenant's
 * (the engine-wide topic names and group report only tell which topics and groups to ask about).
 */
import type { CamundaClient } from "#core/camunda/index.js";
import type { components } from "#core/camunda/openapi.js";
import { camundaDate, mapLimited, parseCamundaDate, type RequestCounter } from "./requests.js";
import type {
  CandidateGroupState,
  DefinitionState,
  EngineSnapshot,
  IncidentGroup,
  TopicState,
} from "./snapshot.js";

/** The engine meters the exporter mirrors as counters. */
export const engineMeterNames = [
  "process-instances",
  "activity-instance-start",
  "activity-instance-end",
  "decision-instances",
  "executed-decision-elements",
  "job-acquisition-attempt",
  "job-acquired-success",
  "job-acquired-failure",
  "job-execution-rejected",
  "job-successful",
  "job-failed",
] as const;
export type EngineMeterName = (typeof engineMeterNames)[number];

export interface CollectorOptions {
  client: CamundaClient;
  /** Counts the REST requests of a poll; the client must be built with this fetch (see countingFetch). */
  requests: RequestCounter;
  /**
   * The engine writes its meters to the database every 15 minutes, so reading them on every poll
   * costs a dozen queries for nothing. Default 5 minutes; 0 reads them on every poll, false never.
   */
  metersIntervalMs?: number | false;
  /**
   * History rows are written when an instance ends, but committed a moment later: the throughput
   * window stops this far before now, so a late commit is counted by the next poll, never lost.
   */
  commitLagMs?: number;
  /** Parallel requests at most (the engine's DB pool is shared with the workers). Default 4. */
  concurrency?: number;
  /** Only this tenant's tasks, instances and incidents (the environment's camunda.tenantId). */
  tenantId?: string;
  now?: () => number;
}

const ageSeconds = (now: number, created: number | undefined) =>
  created === undefined ? undefined : Math.max(0, (now - created) / 1000);

export class EngineCollector {
  private readonly client: CamundaClient;
  private readonly requests: RequestCounter;
  private readonly metersIntervalMs: number | false;
  private readonly commitLagMs: number;
  private readonly concurrency: number;
  private readonly tenantId: string | undefined;
  private readonly now: () => number;
  private readonly knownTopics = new Set<string>();
  /** Candidate groups seen so far; null stands for tasks without a candidate group. */
  private readonly knownGroups = new Set<string | null>();
  private readonly knownIncidents = new Map<string, Omit<IncidentGroup, "count">>();
  /** Activity instance id → when its task was created. Only the current oldest tasks are kept. */
  private created = new Map<string, number>();
  /** End of the last throughput window (exclusive); undefined before the first poll. */
  private finishedCursor: number | undefined;
  private metersReadAt: number | undefined;

  constructor(options: CollectorOptions) {
    this.client = options.client;
    this.requests = options.requests;
    this.metersIntervalMs = options.metersIntervalMs ?? 300_000;
    this.commitLagMs = options.commitLagMs ?? 5_000;
    this.concurrency = options.concurrency ?? 4;
    this.tenantId = options.tenantId;
    this.now = options.now ?? Date.now;
  }

  /** One poll. Throws the first REST error (CamundaError, CamundaUnreachableError): a poll is all or nothing. */
  async collect(): Promise<EngineSnapshot> {
    const started = performance.now();
    const before = this.requests.count;
    const now = this.now();
    const keep = new Map<string, number>();
    const [topics, userTasks, statistics] = await Promise.all([
      this.topics(now, keep),
      this.userTasks(now),
      this.definitionStatistics(),
    ]);
    this.created = keep;
    const incidents = await this.incidents(statistics);
    const definitions = definitionStates(this.ownTenant(statistics));
    const finishedSinceLastPoll = await this.finished(now, definitions);
    const engineMeters = await this.meters(now);
    return {
      takenAt: new Date(now),
      topics,
      userTasks,
      incidents,
      definitions,
      finishedSinceLastPoll,
      ...(engineMeters ? { engineMeters } : {}),
      requests: this.requests.count - before,
      durationSeconds: (performance.now() - started) / 1000,
    };
  }

  /** Process instances of `key` that ended in [from, to): the same query the exporter's counter uses. */
  async countFinished(key: string | undefined, fromMs: number, toMs: number): Promise<number> {
    const { client } = this;
    // Both bounds are inclusive in the engine, at millisecond precision: [from, to - 1 ms] is [from, to).
    const result = await client.ok(
      client.api.GET("/history/process-instance/count", {
        params: {
          query: {
            ...(key ? { processDefinitionKey: key } : {}),
            ...(this.tenantId ? { tenantIdIn: this.tenantId } : {}),
            finished: true,
            finishedAfter: camundaDate(fromMs),
            finishedBefore: camundaDate(toMs - 1),
          },
        },
      }),
    );
    return result.count ?? 0;
  }

  private async topics(now: number, keep: Map<string, number>): Promise<TopicState[]> {
    const { client } = this;
    const [waiting, locked] = await Promise.all([
      client.ok(
        client.api.GET("/external-task/topic-names", {
          params: { query: { withUnlockedTasks: true, withRetriesLeft: true } },
        }),
      ),
      client.ok(
        client.api.GET("/external-task/topic-names", { params: { query: { withLockedTasks: true } } }),
      ),
    ]);
    for (const topic of [...waiting, ...locked]) this.knownTopics.add(topic);
    const names = [...this.knownTopics].sort();
    const jobs = names.flatMap((topic) => [
      ...(waiting.includes(topic) ? [{ topic, state: "backlog" as const }] : []),
      ...(locked.includes(topic) ? [{ topic, state: "locked" as const }] : []),
    ]);
    const results = await mapLimited(jobs, this.concurrency, async (job) => ({
      ...job,
      ...(await this.topicState(job.topic, job.state, now, keep)),
    }));
    return names.map((topic) => {
      const backlog = results.find((r) => r.topic === topic && r.state === "backlog");
      const held = results.find((r) => r.topic === topic && r.state === "locked");
      const state: TopicState = { topic, backlog: backlog?.count ?? 0, locked: held?.count ?? 0 };
      if (backlog?.oldestAgeSeconds !== undefined) state.oldestBacklogAgeSeconds = backlog.oldestAgeSeconds;
      if (held?.oldestAgeSeconds !== undefined) state.oldestLockedAgeSeconds = held.oldestAgeSeconds;
      return state;
    });
  }

  private async topicState(
    topic: string,
    state: "backlog" | "locked",
    now: number,
    keep: Map<string, number>,
  ): Promise<{ count: number; oldestAgeSeconds?: number }> {
    const { client } = this;
    const filter =
      state === "backlog"
        ? { topicName: topic, notLocked: true, withRetriesLeft: true, active: true }
        : { topicName: topic, locked: true };
    const tenant = this.tenantId;
    const [count, oldest] = await Promise.all([
      client.ok(
        client.api.GET("/external-task/count", {
          params: { query: { ...filter, ...(tenant ? { tenantIdIn: tenant } : {}) } },
        }),
      ),
      client.ok(
        client.api.POST("/external-task", {
          params: { query: { maxResults: 1 } },
          body: {
            ...filter,
            ...(tenant ? { tenantIdIn: [tenant] } : {}),
            sorting: [{ sortBy: "createTime", sortOrder: "asc" }],
          },
        }),
      ),
    ]);
    const activityInstanceId = oldest[0]?.activityInstanceId;
    const created = activityInstanceId ? await this.createdAt(activityInstanceId) : undefined;
    if (activityInstanceId && created !== undefined) keep.set(activityInstanceId, created);
    const age = ageSeconds(now, created);
    return { count: count.count ?? 0, ...(age !== undefined ? { oldestAgeSeconds: age } : {}) };
  }

  /** When an activity instance started; cached, since it never changes. */
  private async createdAt(activityInstanceId: string): Promise<number | undefined> {
    const cached = this.created.get(activityInstanceId);
    if (cached !== undefined) return cached;
    const { client } = this;
    const answer = await client.api.GET("/history/activity-instance/{id}", {
      params: { path: { id: activityInstanceId } },
    });
    // 404: the task finished between the two queries; the next poll finds the new oldest one.
    if (answer.response.status === 404) return undefined;
    const instance = await client.ok(Promise.resolve(answer));
    return parseCamundaDate(instance.startTime);
  }

  private async userTasks(now: number): Promise<CandidateGroupState[]> {
    const { client } = this;
    // The report answers JSON or CSV; the type generator cannot tell which, so the JSON shape is named.
    const report = (await client.ok(
      client.api.GET("/task/report/candidate-group-count", { headers: { accept: "application/json" } }),
    )) as components["schemas"]["TaskCountByCandidateGroupResultDto"][];
    const unassigned = new Map(report.map((row) => [row.groupName ?? null, row.taskCount ?? 0]));
    for (const group of unassigned.keys()) this.knownGroups.add(group);
    const groups = [...this.knownGroups].sort((a, b) => (a ?? "").localeCompare(b ?? ""));
    const tenant = this.tenantId ? { tenantIdIn: this.tenantId } : {};
    return mapLimited(groups, this.concurrency, async (group) => {
      const filter = {
        ...(group === null
          ? { withoutCandidateGroups: true }
          : { candidateGroup: group, includeAssignedTasks: true }),
        ...tenant,
      };
      const oldest = await client.ok(
        client.api.GET("/task", {
          params: { query: { ...filter, sortBy: "created", sortOrder: "asc", maxResults: 1 } },
        }),
      );
      if (oldest.length === 0) return { candidateGroup: group, open: 0, unassigned: 0 };
      const [open, waiting] = await Promise.all([
        client.ok(client.api.GET("/task/count", { params: { query: filter } })),
        // The report is engine-wide; a tenant's unassigned tasks need their own count.
        this.tenantId
          ? client.ok(client.api.GET("/task/count", { params: { query: { ...filter, unassigned: true } } }))
          : Promise.resolve({ count: unassigned.get(group) ?? 0 }),
      ]);
      const age = ageSeconds(now, parseCamundaDate(oldest[0]?.created));
      return {
        candidateGroup: group,
        open: open.count ?? 0,
        unassigned: waiting.count ?? 0,
        ...(age !== undefined ? { oldestAgeSeconds: age } : {}),
      };
    });
  }

  private definitionStatistics() {
    const { client } = this;
    return client.ok(
      client.api.GET("/process-definition/statistics", {
        params: { query: { failedJobs: true, incidents: true } },
      }),
    );
  }

  private async incidents(statistics: Statistics): Promise<IncidentGroup[]> {
    const { client } = this;
    statistics = this.ownTenant(statistics);
    const withIncidents = statistics.filter((s) =>
      (s.incidents ?? []).some((i) => (i.incidentCount ?? 0) > 0),
    );
    const perDefinition = await mapLimited(withIncidents, this.concurrency, async (definition) => {
      const activities = await client.ok(
        client.api.GET("/process-definition/{id}/statistics", {
          params: { path: { id: definition.id ?? "" }, query: { incidents: true } },
        }),
      );
      const key = definition.definition?.key ?? definition.id ?? "";
      return activities.flatMap((activity) =>
        (activity.incidents ?? []).map((incident) => ({
          processDefinitionKey: key,
          activityId: activity.id ?? "",
          incidentType: incident.incidentType ?? "",
          count: incident.incidentCount ?? 0,
        })),
      );
    });
    // Versions of one process add up: an operator asks "where in the process", not "in which version".
    const grouped = new Map<string, IncidentGroup>();
    for (const [id, labels] of this.knownIncidents) grouped.set(id, { ...labels, count: 0 });
    for (const group of perDefinition.flat()) {
      if (group.count <= 0) continue;
      const id = JSON.stringify([group.processDefinitionKey, group.activityId, group.incidentType]);
      const known = grouped.get(id);
      if (known) known.count += group.count;
      else grouped.set(id, { ...group });
      const { count: _, ...labels } = group;
      this.knownIncidents.set(id, labels);
    }
    return [...grouped.values()].sort(
      (a, b) =>
        a.processDefinitionKey.localeCompare(b.processDefinitionKey) ||
        a.activityId.localeCompare(b.activityId) ||
        a.incidentType.localeCompare(b.incidentType),
    );
  }

  /** The definitions of the collector's tenant (the statistics resource has no tenant filter). */
  private ownTenant(statistics: Statistics): Statistics {
    if (!this.tenantId) return statistics;
    return statistics.filter((s) => s.definition?.tenantId === this.tenantId);
  }

  private async finished(now: number, definitions: DefinitionState[]): Promise<Record<string, number>> {
    const until = now - this.commitLagMs;
    const from = this.finishedCursor;
    const keys = [...new Set(definitions.map((d) => d.key))].sort();
    const counts: Record<string, number> = Object.fromEntries(keys.map((key) => [key, 0]));
    if (from !== undefined && until > from) {
      const values = await mapLimited(keys, this.concurrency, (key) => this.countFinished(key, from, until));
      keys.forEach((key, index) => {
        counts[key] = values[index] ?? 0;
      });
    }
    if (from === undefined || until > from) this.finishedCursor = until;
    return counts;
  }

  private async meters(now: number): Promise<Record<string, number> | undefined> {
    if (this.metersIntervalMs === false) return undefined;
    if (this.metersReadAt !== undefined && now - this.metersReadAt < this.metersIntervalMs) return undefined;
    const { client } = this;
    const values = await mapLimited(engineMeterNames, this.concurrency, async (name) => {
      const result = await client.ok(
        client.api.GET("/metrics/{metrics-name}/sum", { params: { path: { "metrics-name": name } } }),
      );
      return result.result ?? 0;
    });
    this.metersReadAt = now;
    return Object.fromEntries(engineMeterNames.map((name, index) => [name, values[index] ?? 0]));
  }
}

type Statistics = Awaited<ReturnType<EngineCollector["definitionStatistics"]>>;

/** Every version with running instances, and the latest version of every process even when idle. */
function definitionStates(statistics: Statistics): DefinitionState[] {
  const latest = new Map<string, number>();
  for (const s of statistics) {
    const key = s.definition?.key ?? "";
    latest.set(key, Math.max(latest.get(key) ?? 0, s.definition?.version ?? 0));
  }
  return statistics
    .map((s) => ({
      key: s.definition?.key ?? "",
      version: s.definition?.version ?? 0,
      running: s.instances ?? 0,
      failedJobs: s.failedJobs ?? 0,
    }))
    .filter((d) => d.running > 0 || d.failedJobs > 0 || latest.get(d.key) === d.version)
    .sort((a, b) => a.key.localeCompare(b.key) || a.version - b.version);
}
