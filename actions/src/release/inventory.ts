/**
 * What an environment's engine runs: the latest version of every process and decision key in the
 * environment's tenant (or without a tenant), whether it is suspended, and where its deployment came
 * from. Read-only (GET requests), so the plan credentials of an environment are enough.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import type { DefinitionType } from "./definitions.js";
import type { DeploymentOrigin, OriginReader } from "./provenance.js";

export interface EngineDefinition {
  type: DefinitionType;
  key: string;
  id: string;
  version: number;
  versionTag: string | null;
  /** The resource name it was deployed from. */
  resource: string;
  deploymentId: string;
  /** Suspended process definitions refuse new instances; decisions are never suspended. */
  suspended: boolean;
  origin: DeploymentOrigin;
}

/** Page size for the definition queries; an engine may hold thousands of keys. */
const PAGE = 500;

function tenantQuery(tenantId: string | null) {
  return tenantId ? { tenantIdIn: tenantId } : { withoutTenantId: true };
}

type RawDefinition = {
  id?: string | null;
  key?: string | null;
  version?: number | null;
  versionTag?: string | null;
  resource?: string | null;
  deploymentId?: string | null;
  suspended?: boolean | null;
};

async function pages(fetchPage: (firstResult: number) => Promise<RawDefinition[]>): Promise<RawDefinition[]> {
  const all: RawDefinition[] = [];
  for (let first = 0; ; first += PAGE) {
    const page = await fetchPage(first);
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

export async function engineInventory(
  client: CamundaClient,
  tenantId: string | null,
  origins: OriginReader,
  onProgress: (detail: string) => void = () => {},
): Promise<EngineDefinition[]> {
  const common = { latestVersion: true, ...tenantQuery(tenantId), sortBy: "key", sortOrder: "asc" } as const;
  const processes = await pages(async (firstResult) =>
    client.ok(
      client.api.GET("/process-definition", {
        params: { query: { ...common, firstResult, maxResults: PAGE } },
      }),
    ),
  );
  const decisions = await pages(async (firstResult) =>
    client.ok(
      client.api.GET("/decision-definition", {
        params: { query: { ...common, firstResult, maxResults: PAGE } },
      }),
    ),
  );
  const raw = [
    ...processes.map((d) => ({ type: "process" as const, d })),
    ...decisions.map((d) => ({ type: "decision" as const, d })),
  ];
  const result: EngineDefinition[] = [];
  for (const [index, { type, d }] of raw.entries()) {
    if (!d.id || !d.key || !d.deploymentId) continue;
    onProgress(`${d.key} (${index + 1}/${raw.length})`);
    result.push({
      type,
      key: d.key,
      id: d.id,
      version: d.version ?? 0,
      versionTag: d.versionTag ?? null,
      resource: d.resource ?? "",
      deploymentId: d.deploymentId,
      suspended: d.suspended === true,
      origin: await origins.origin(d.deploymentId),
    });
  }
  return result;
}
