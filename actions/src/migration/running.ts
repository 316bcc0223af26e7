/**
 * Where the running instances of a process key are: each deployed version that still has instances,
 * and per version the activities they wait in (the engine's activity statistics, with incidents and
 * failed jobs). Read-only: GET requests only.
 */
import type { CamundaClient } from "#core/camunda/index.js";

export interface ActiveActivity {
  id: string;
  /** Activity instances (and asynchronous continuations) waiting here. */
  instances: number;
  incidents: number;
  failedJobs: number;
}

export interface RunningVersion {
  definitionId: string;
  version: number;
  versionTag: string | null;
  /** Process instances on this version. */
  instances: number;
  activities: ActiveActivity[];
}

function tenantQuery(tenantId: string | null) {
  return tenantId ? { tenantIdIn: tenantId } : { withoutTenantId: true };
}

/** Every version of `key` except `exceptDefinitionId` that has running instances, oldest first. */
export async function runningVersions(
  client: CamundaClient,
  key: string,
  tenantId: string | null,
  exceptDefinitionId: string | null = null,
): Promise<RunningVersion[]> {
  const versions = await client.ok(
    client.api.GET("/process-definition", {
      params: { query: { key, ...tenantQuery(tenantId), sortBy: "version", sortOrder: "asc" } },
    }),
  );
  const result: RunningVersion[] = [];
  for (const definition of versions) {
    if (!definition.id || definition.id === exceptDefinitionId) continue;
    const { count } = await client.ok(
      client.api.GET("/process-instance/count", {
        params: { query: { processDefinitionId: definition.id } },
      }),
    );
    if (!count) continue;
    result.push({
      definitionId: definition.id,
      version: definition.version ?? 0,
      versionTag: definition.versionTag ?? null,
      instances: count,
      activities: await activeActivities(client, definition.id),
    });
  }
  return result;
}

export async function activeActivities(
  client: CamundaClient,
  definitionId: string,
): Promise<ActiveActivity[]> {
  const statistics = await client.ok(
    client.api.GET("/process-definition/{id}/statistics", {
      params: { path: { id: definitionId }, query: { incidents: true, failedJobs: true } },
    }),
  );
  return statistics
    .filter((s) => s.id && (s.instances ?? 0) > 0)
    .map((s) => ({
      id: s.id!,
      instances: s.instances ?? 0,
      incidents: (s.incidents ?? []).reduce((n, i) => n + (i.incidentCount ?? 0), 0),
      failedJobs: s.failedJobs ?? 0,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Instances still on a version (after a migration: the ones left behind). */
export async function instancesOn(client: CamundaClient, definitionId: string): Promise<number> {
  const { count } = await client.ok(
    client.api.GET("/process-instance/count", { params: { query: { processDefinitionId: definitionId } } }),
  );
  return count ?? 0;
}
