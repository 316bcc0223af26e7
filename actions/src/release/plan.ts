/**
 * The plan of a release: for every model file, what the engine has as the latest version of each key
 * it defines, and whether the repository's file is new, changed (with a semantic summary) or
 * unchanged. Planning only reads from the engine.
 */
import { createHash } from "node:crypto";
import type { CamundaClient } from "#core/camunda/index.js";
import type { IdentityPlan } from "#core/identities/index.js";
import type { MigrationPolicy, MigrationSection } from "#core/migration/plan.js";
import { errorMessage, UserError } from "#core/util/errors.js";
import {
  type DefinitionRef,
  type DeployedDefinition,
  definitionsIn,
  deployedXml,
  latestDefinition,
} from "./definitions.js";
import { planForms } from "./form-plan.js";
import { formBindings } from "./forms.js";
import { diffModels, summarizeDiff } from "./model-diff.js";
import { OriginReader, type ReleaseIdentity } from "./provenance.js";
import type { RemovalPolicy, RemovedDefinition } from "./removal.js";
import type { ModelKind, ReleaseSource, ResourceKind } from "./source.js";

export type ResourceStatus = "new" | "changed" | "unchanged";

export interface PlannedDefinition extends DefinitionRef {
  /** The engine's latest version of this key before the release, or null. */
  previous: DeployedDefinition | null;
}

export interface PlannedResource {
  name: string;
  file: string;
  kind: ResourceKind;
  sha256: string;
  status: ResourceStatus;
  /** For a changed resource: what changed, in one line. */
  summary: string | null;
  /**
   * For a changed resource whose latest version was deployed outside these releases (another
   * deployment name or source, e.g. from the Modeler): that deployment. The engine's duplicate filter
   * only looks at this environment's own deployments and could skip the file, so such a release
   * deploys its changed files without the filter.
   */
  outsideRelease: string | null;
  definitions: PlannedDefinition[];
  /** For a BPMN file: the form files its deployment must hold (forms bound with binding "deployment"). */
  forms?: string[];
  /** For a Camunda Form file: its key (the `id` of its JSON). */
  formKey?: string;
}

/** Where a release goes: taken from the environment file. */
export interface ReleaseTarget {
  environment: string;
  restUrl: string;
  tenantId: string | null;
  deploymentName: string;
  deploymentSource: string;
  /** Running instances of changed processes: camunda.migration (default never). */
  migration?: MigrationPolicy;
  /** Processes whose file left git: camunda.removedProcesses (default keep). */
  removedProcesses?: RemovalPolicy;
}

export interface Plan {
  target: ReleaseTarget;
  commit: string | null;
  ref: string | null;
  dirty: boolean;
  resources: PlannedResource[];
  /** Model files that produce no engine definition (e.g. no executable process); not deployed. */
  ignored: Array<{ file: string; reason: string }>;
  counts: Record<ResourceStatus, number>;
  /** Running instances on older versions and what the release does with them (lifecycle-step.ts). */
  migration: MigrationSection | null;
  /** Keys released from here whose file left git (removal.ts). */
  removals: RemovedDefinition[];
  /** Groups, users, grants and filters to change (identities.ts), or null when the file declares none. */
  identities: IdentityPlan | null;
  /**
   * Fingerprint of what this plan would deploy onto which engine state. The release job compares it
   * with the digest of the plan people approved, and refuses when the engine moved in between.
   */
  digest: string;
}

/** Who the target's releases are, for telling them from other deployments. */
export function releaseIdentity(target: ReleaseTarget, repository: string | null = null): ReleaseIdentity {
  return {
    environment: target.environment,
    deploymentName: target.deploymentName,
    deploymentSource: target.deploymentSource,
    repository,
  };
}

export async function computePlan(
  client: CamundaClient,
  source: ReleaseSource,
  target: ReleaseTarget,
  onProgress: (detail: string) => void = () => {},
  origins: OriginReader = new OriginReader(client, releaseIdentity(target)),
): Promise<Plan> {
  const resources: PlannedResource[] = [];
  const ignored: Plan["ignored"] = [];
  const owners = new Map<string, string>();
  const tenantId = target.tenantId ?? undefined;
  const bindings = await formBindings(source.resources);

  for (const [index, resource] of source.resources.entries()) {
    onProgress(`${resource.file} (${index + 1}/${source.resources.length})`);
    // Forms are planned after the processes that bind them (form-plan.ts).
    if (resource.kind === "form") continue;
    let refs: DefinitionRef[];
    try {
      refs = await definitionsIn(resource.kind, resource.text);
    } catch (error) {
      throw new UserError(
        `${resource.file} cannot be read as ${resource.kind.toUpperCase()} (${errorMessage(error).split("\n")[0]}); run \`camunda-gitops lint ${resource.file}\` and fix it.`,
      );
    }
    if (refs.length === 0) {
      ignored.push({
        file: resource.file,
        reason:
          resource.kind === "bpmn" ? "holds no executable process" : "holds no decision with decision logic",
      });
      continue;
    }
    for (const ref of refs) {
      const owner = owners.get(`${ref.type}:${ref.key}`);
      if (owner) {
        throw new UserError(
          `${owner} and ${resource.file} both define ${ref.type} "${ref.key}"; the engine refuses a deployment with a key twice: keep it in one file.`,
        );
      }
      owners.set(`${ref.type}:${ref.key}`, resource.file);
    }

    const definitions: PlannedDefinition[] = [];
    for (const ref of refs)
      definitions.push({ ...ref, previous: await latestDefinition(client, ref, tenantId) });

    let status: ResourceStatus = "unchanged";
    let summary: string | null = null;
    let outsideRelease: string | null = null;
    const reasons: string[] = [];
    if (definitions.every((d) => d.previous === null)) {
      status = "new";
    } else {
      const xmlCache = new Map<string, string>();
      for (const definition of definitions) {
        const previous = definition.previous;
        if (!previous) {
          reasons.push(`new ${definition.type} ${definition.key}`);
          continue;
        }
        if (previous.resource !== resource.name) {
          reasons.push(`${definition.key} was deployed from ${previous.resource}`);
          continue;
        }
        const cacheKey = `${previous.deploymentId}/${previous.resource}`;
        let xml = xmlCache.get(cacheKey);
        if (xml === undefined) {
          xml = await deployedXml(client, previous);
          xmlCache.set(cacheKey, xml);
        }
        if (xml !== resource.text && !reasons.some((r) => r.startsWith("diff:"))) {
          reasons.push(`diff:${await describeChange(resource.kind, xml, resource.text)}`);
        }
      }
      if (reasons.length > 0) {
        outsideRelease = await foreignDeployment(definitions, origins);
        if (outsideRelease) reasons.push(`the latest version comes from ${outsideRelease}`);
        status = "changed";
        summary = reasons.map((r) => r.replace(/^diff:/, "")).join("; ");
      }
    }
    resources.push({
      name: resource.name,
      file: resource.file,
      kind: resource.kind,
      sha256: resource.sha256,
      status,
      summary,
      outsideRelease,
      definitions,
      ...(bindings.bound.has(resource.name)
        ? { forms: bindings.bound.get(resource.name)!.map((f) => f.resource) }
        : {}),
    });
  }
  resources.push(...(await planForms(client, source, target, bindings, resources)));
  const order = new Map(source.resources.map((r, index) => [r.name, index]));
  resources.sort((a, b) => order.get(a.name)! - order.get(b.name)!);

  const counts = { new: 0, changed: 0, unchanged: 0 };
  for (const r of resources) counts[r.status]++;
  const plan: Omit<Plan, "digest"> = {
    target,
    commit: source.commit,
    ref: source.ref,
    dirty: source.dirty,
    resources,
    ignored,
    counts,
    migration: null,
    removals: [],
    identities: null,
  };
  return { ...plan, digest: planDigest(plan) };
}

/** The plan with its migrations and removals, fingerprinted together: approving one approves all. */
export function withLifecycle(plan: Plan, migration: MigrationSection, removals: RemovedDefinition[]): Plan {
  const essence = {
    migration: migration.digest,
    removals: removals.map((r) => [r.type, r.key, r.definitionId, r.action]),
  };
  const digest = createHash("sha256")
    .update(`${plan.digest}:${JSON.stringify(essence)}`)
    .digest("hex")
    .slice(0, 16);
  return { ...plan, migration, removals, digest };
}

/** The plan with its identity changes, fingerprinted together: approving one approves both. */
export function withIdentities(plan: Plan, identities: IdentityPlan | null): Plan {
  if (!identities) return plan;
  const digest = createHash("sha256")
    .update(`${plan.digest}:${identities.digest}`)
    .digest("hex")
    .slice(0, 16);
  return { ...plan, identities, digest };
}

/** The first previous version's deployment that is not one of this environment's releases, described. */
async function foreignDeployment(
  definitions: PlannedDefinition[],
  origins: OriginReader,
): Promise<string | null> {
  for (const definition of definitions) {
    const id = definition.previous?.deploymentId;
    if (!id) continue;
    const origin = await origins.origin(id);
    if (!origin.ours) return origin.foreignReason;
  }
  return null;
}

async function describeChange(kind: ModelKind, before: string, after: string): Promise<string> {
  try {
    return summarizeDiff(await diffModels(kind, before, after));
  } catch {
    // The deployed version may predate the moddle packages' understanding of it; say what we know.
    return "content differs (the deployed version could not be compared element by element)";
  }
}

function planDigest(plan: Omit<Plan, "digest">): string {
  const essence = {
    target: plan.target,
    commit: plan.commit,
    dirty: plan.dirty,
    resources: plan.resources.map((r) => ({
      name: r.name,
      sha256: r.sha256,
      status: r.status,
      previous: r.definitions.map((d) => [d.type, d.key, d.previous?.id ?? null]),
    })),
  };
  return createHash("sha256").update(JSON.stringify(essence)).digest("hex").slice(0, 16);
}

/** True when the plan deploys anything. */
export function planHasChanges(plan: Plan): boolean {
  return plan.counts.new + plan.counts.changed > 0;
}
