/**
 * Which definitions a model file holds (the keys the engine will version) and what the engine has
 * deployed for each key: its latest version in the environment's tenant and that version's XML.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { parseModel } from "#core/lint/parse.js";
import type { ResourceKind } from "./source.js";

export type DefinitionType = "process" | "decision";

export interface DefinitionRef {
  type: DefinitionType;
  key: string;
  name: string | null;
}

/** A definition version in the engine. */
export interface DeployedDefinition {
  type: DefinitionType;
  id: string;
  key: string;
  version: number;
  /** The resource name it was deployed from. */
  resource: string;
  deploymentId: string;
  tenantId: string | null;
}

/**
 * Executable processes of a BPMN file, decisions of a DMN file. Non-executable pools and decisions
 * without decision logic produce no engine definition, so they are not listed. A process without the
 * isExecutable attribute counts as not executable: the 7.23 engine logs a warning and deploys no
 * definition for it.
 */
export async function definitionsIn(kind: ResourceKind, text: string): Promise<DefinitionRef[]> {
  if (kind === "form") return []; // a Camunda Form defines a form, planned in form-plan.ts
  const { root } = await parseModel(kind, text);
  const name = (element: { name?: unknown }) => (typeof element.name === "string" ? element.name : null);
  if (kind === "bpmn") {
    return (
      (root?.rootElements ?? []) as Array<{
        $type: string;
        id?: string;
        isExecutable?: boolean;
        name?: string;
      }>
    )
      .filter((e) => e.$type === "bpmn:Process" && e.isExecutable === true && typeof e.id === "string")
      .map((e) => ({ type: "process" as const, key: e.id as string, name: name(e) }));
  }
  return (
    (root?.drgElement ?? []) as Array<{ $type: string; id?: string; decisionLogic?: unknown; name?: string }>
  )
    .filter((e) => e.$type === "dmn:Decision" && e.decisionLogic && typeof e.id === "string")
    .map((e) => ({ type: "decision" as const, key: e.id as string, name: name(e) }));
}

/** Tenant filter of a definition query: the environment's tenant, or definitions without one. */
function tenantQuery(tenantId: string | undefined) {
  return tenantId ? { tenantIdIn: tenantId } : { withoutTenantId: true };
}

type RawDefinition = {
  id?: string | null;
  key?: string | null;
  version?: number | null;
  resource?: string | null;
  deploymentId?: string | null;
  tenantId?: string | null;
};

function toDeployed(type: DefinitionType, raw: RawDefinition | undefined): DeployedDefinition | null {
  if (!raw?.id || !raw.key) return null;
  return {
    type,
    id: raw.id,
    key: raw.key,
    version: raw.version ?? 0,
    resource: raw.resource ?? "",
    deploymentId: raw.deploymentId ?? "",
    tenantId: raw.tenantId ?? null,
  };
}

/** The latest version of `key` in the tenant, or null when the engine has none. */
export async function latestDefinition(
  client: CamundaClient,
  ref: Pick<DefinitionRef, "type" | "key">,
  tenantId: string | undefined,
): Promise<DeployedDefinition | null> {
  const query = { key: ref.key, latestVersion: true, ...tenantQuery(tenantId) };
  if (ref.type === "process") {
    const list = await client.ok(client.api.GET("/process-definition", { params: { query } }));
    return toDeployed("process", list[0]);
  }
  const list = await client.ok(client.api.GET("/decision-definition", { params: { query } }));
  return toDeployed("decision", list[0]);
}

/** The XML a definition version was deployed with, exactly as stored (the whole resource). */
export async function deployedXml(
  client: CamundaClient,
  definition: Pick<DeployedDefinition, "type" | "id">,
) {
  if (definition.type === "process") {
    const diagram = await client.ok(
      client.api.GET("/process-definition/{id}/xml", { params: { path: { id: definition.id } } }),
    );
    return diagram.bpmn20Xml ?? "";
  }
  const diagram = await client.ok(
    client.api.GET("/decision-definition/{id}/xml", { params: { path: { id: definition.id } } }),
  );
  return diagram.dmnXml ?? "";
}
