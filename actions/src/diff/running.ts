/**
 * "What is running now": for each process a change touches, how many instances wait in each removed
 * or migration-relevant activity in one environment, so a reviewer reads "3 instances wait in
 * Task_X, which this change removes". Read-only: only GET requests (definitions and their activity
 * statistics, all versions), so the plan credentials of an environment are enough.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import type { DiffReport } from "./types.js";

export interface ProcessActivity {
  /** Running activity instances per activity id, summed over every deployed version. */
  activities: Map<string, number>;
  /** Deployed versions of the definition key. */
  versions: number;
  /** Running process instances of every version. */
  running: number;
}

/** The process keys (top-level process ids) whose running instances the report's changes concern. */
export function processesToCount(report: DiffReport): string[] {
  const keys = new Set<string>();
  for (const file of report.files) {
    if (file.kind !== "bpmn") continue;
    for (const change of file.changes) {
      if (change.container && (change.migrationRelevant || change.type === "removed"))
        keys.add(change.container);
    }
  }
  return [...keys].sort();
}

export async function countRunning(
  client: CamundaClient,
  processKeys: readonly string[],
  tenantId: string | null,
): Promise<Map<string, ProcessActivity>> {
  const result = new Map<string, ProcessActivity>();
  for (const key of processKeys) {
    const definitions = await client.ok(
      client.api.GET("/process-definition", {
        params: { query: { key, ...(tenantId ? { tenantIdIn: tenantId } : {}) } },
      }),
    );
    const activities = new Map<string, number>();
    for (const definition of definitions ?? []) {
      if (!definition.id) continue;
      const statistics = await client.ok(
        client.api.GET("/process-definition/{id}/statistics", { params: { path: { id: definition.id } } }),
      );
      for (const activity of statistics ?? []) {
        if (!activity.id) continue;
        activities.set(activity.id, (activities.get(activity.id) ?? 0) + (activity.instances ?? 0));
      }
    }
    const count = await client.ok(
      client.api.GET("/process-instance/count", {
        params: { query: { processDefinitionKey: key, ...(tenantId ? { tenantIdIn: tenantId } : {}) } },
      }),
    );
    result.set(key, { activities, versions: definitions?.length ?? 0, running: count?.count ?? 0 });
  }
  return result;
}

function instances(n: number): string {
  return n === 1 ? "1 instance waits" : `${n} instances wait`;
}

/** Adds the counts to the changes they concern (`runningInstances`, and a clause in the message). */
export function annotateRunning(
  report: DiffReport,
  counts: Map<string, ProcessActivity>,
  environment: string,
): void {
  for (const file of report.files) {
    if (file.kind !== "bpmn") continue;
    for (const change of file.changes) {
      if (!change.container || !(change.migrationRelevant || change.type === "removed")) continue;
      const process = counts.get(change.container);
      if (!process) continue;
      // Instances run on the deployed version, where a renamed element still has its old id.
      const id = change.previousId ?? change.elementId;
      const n = id === change.container ? process.running : (process.activities.get(id) ?? 0);
      change.runningInstances = n;
      if (n === 0) continue;
      const what =
        change.type === "removed"
          ? `${instances(n)} in ${id} in ${environment} now, which this change removes`
          : `${instances(n)} in ${id} in ${environment} now`;
      change.message = `${change.message} (${what})`;
    }
  }
}

/**
 * Counts and annotates in one step, with a line for the report ("Running instances: prod, 14 in
 * claim_review"). Only asks the engine when some change concerns running instances.
 */
export async function addRunningInstances(
  report: DiffReport,
  engine: { environment: string; client: CamundaClient; tenantId: string | null },
): Promise<string> {
  const keys = processesToCount(report);
  if (keys.length === 0) return `Running instances in ${engine.environment}: no change concerns them.`;
  const counts = await countRunning(engine.client, keys, engine.tenantId);
  annotateRunning(report, counts, engine.environment);
  const parts = keys.map((key) => {
    const c = counts.get(key);
    return `${key} ${c?.running ?? 0} running${c && c.versions > 0 ? ` (${c.versions} version${c.versions === 1 ? "" : "s"} deployed)` : " (not deployed)"}`;
  });
  return `Running instances in ${engine.environment} now: ${parts.join(", ")}.`;
}
