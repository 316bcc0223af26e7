/**
 * What one poll of the engine found: the business state of the platform as plain data. The
 * Prometheus registry (prometheus.ts), `camunda-gitops status` (summary.ts) and the tests all read
 * this one shape, so they cannot disagree about what a number means.
 */

/** External tasks of one topic. Only active tasks count; those without retries are incidents. */
export interface TopicState {
  topic: string;
  /** Waiting for a worker: not locked (or lock expired), retries left, not suspended. */
  backlog: number;
  /** Locked by a worker right now. */
  locked: number;
  /** Seconds since the oldest waiting task was created; absent when none waits. */
  oldestBacklogAgeSeconds?: number;
  /** Seconds since the oldest locked task was created; absent when none is locked. */
  oldestLockedAgeSeconds?: number;
}

/** Open user tasks of one candidate group (null: tasks without a candidate group). */
export interface CandidateGroupState {
  candidateGroup: string | null;
  /** Open tasks offered to the group, assigned or not. */
  open: number;
  /** Of those, the ones nobody has claimed yet. */
  unassigned: number;
  /** Seconds since the oldest of them was created. */
  oldestAgeSeconds?: number;
}

export interface IncidentGroup {
  processDefinitionKey: string;
  activityId: string;
  incidentType: string;
  count: number;
}

/** One deployed process definition version with running instances (and every latest version). */
export interface DefinitionState {
  key: string;
  version: number;
  running: number;
  /** Jobs of its running instances that have no retries left. */
  failedJobs: number;
}

export interface EngineSnapshot {
  takenAt: Date;
  topics: TopicState[];
  userTasks: CandidateGroupState[];
  incidents: IncidentGroup[];
  definitions: DefinitionState[];
  /** Process instances finished since the previous poll (the first poll counts none), by process key. */
  finishedSinceLastPoll: Record<string, number>;
  /**
   * The engine's own meters (`GET /metrics/{name}/sum`): totals since the meter log began. Absent
   * when this poll did not read them (they are read less often than the rest, see CollectorOptions).
   */
  engineMeters?: Record<string, number>;
  /** REST requests this poll made, and how long it took. */
  requests: number;
  durationSeconds: number;
}
