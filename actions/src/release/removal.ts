/**
 * Models whose file left git. A key the engine has, released from this repository, that no file
 * defines any more is *removed*: the plan lists it, and where the environment sets
 * `camunda.removedProcesses: suspend` the release suspends every version of it — new instances are
 * refused, running ones finish, history stays. Keys that were never released from here (a Modeler
 * deployment, another repository) are not the release's to retire: drift reports them as unmanaged.
 * Camunda 7 cannot suspend decision definitions, so a removed decision is reported and kept.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import type { DefinitionType } from "./definitions.js";
import { engineInventory } from "./inventory.js";
import type { OriginReader, ReleaseRecord } from "./provenance.js";

export type RemovalPolicy = "keep" | "suspend";

export interface RemovedDefinition {
  type: DefinitionType;
  key: string;
  /** The engine's latest version. */
  definitionId: string;
  version: number;
  /** The release that deployed the latest version. */
  release: ReleaseRecord | null;
  /** suspend: this release suspends it; keep: the policy keeps it startable; none: nothing to do. */
  action: "suspend" | "keep" | "none";
  /** One clause saying why. */
  reason: string;
}

export interface RemovalOutcome {
  key: string;
  /** Definition ids (every version of the key) this release suspended. */
  suspended: string[];
}

export async function planRemovals(options: {
  client: CamundaClient;
  tenantId: string | null;
  /** "type:key" of every definition the repository's files hold. */
  inGit: Set<string>;
  origins: OriginReader;
  policy: RemovalPolicy;
}): Promise<RemovedDefinition[]> {
  const engine = await engineInventory(options.client, options.tenantId, options.origins);
  const removed: RemovedDefinition[] = [];
  for (const definition of engine) {
    if (options.inGit.has(`${definition.type}:${definition.key}`) || !definition.origin.ours) continue;
    const base = {
      type: definition.type,
      key: definition.key,
      definitionId: definition.id,
      version: definition.version,
      release: definition.origin.record,
    };
    if (definition.type === "decision") {
      removed.push({
        ...base,
        action: "none",
        reason: "Camunda 7 cannot suspend decision definitions; it stays evaluable by key",
      });
    } else if (definition.suspended) {
      removed.push({ ...base, action: "none", reason: "already suspended" });
    } else if (options.policy === "suspend") {
      removed.push({
        ...base,
        action: "suspend",
        reason: "suspended by this release: running instances finish, new ones are refused",
      });
    } else {
      removed.push({
        ...base,
        action: "keep",
        reason: "kept startable: the environment sets camunda.removedProcesses: keep (suspend retires it)",
      });
    }
  }
  return removed;
}

/** Suspends every active version of each removed process the plan marked; instances keep running. */
export async function suspendRemoved(
  client: CamundaClient,
  removed: RemovedDefinition[],
  tenantId: string | null,
  onProgress: (detail: string) => void = () => {},
): Promise<RemovalOutcome[]> {
  const outcomes: RemovalOutcome[] = [];
  for (const definition of removed) {
    if (definition.action !== "suspend") continue;
    onProgress(definition.key);
    const versions = await client.ok(
      client.api.GET("/process-definition", {
        params: {
          query: {
            key: definition.key,
            active: true,
            ...(tenantId ? { tenantIdIn: tenantId } : { withoutTenantId: true }),
          },
        },
      }),
    );
    const suspended: string[] = [];
    for (const version of versions) {
      if (!version.id) continue;
      await client.ok(
        client.api.PUT("/process-definition/{id}/suspended", {
          params: { path: { id: version.id } },
          body: { suspended: true, includeProcessInstances: false },
        }),
      );
      suspended.push(version.id);
    }
    outcomes.push({ key: definition.key, suspended });
  }
  return outcomes;
}
