/**
 * Drift: does the environment's engine run what git holds? Every latest process and decision version
 * of the environment's tenant is compared with the repository's files after normalising what does not
 * execute (diagram, exporter version, attribute order, whitespace — the review's semantic diff decides),
 * and every deployment's origin is checked against this repository's releases (provenance.ts).
 *
 *   in-sync    the engine's latest version is the file (possibly laid out differently)
 *   modified   both have the key, with a behaviour difference (listed, git → engine)
 *   unmanaged  the engine has a key git does not have, and was never released from here
 *   missing    git has a key the engine does not have (not released yet)
 *   removed    released from here, its file left git, and it can still be started
 *   retired    not in git and suspended (a release retired it, or someone did): not drift
 *   foreign    (a flag) the latest version was deployed by anything but this repository's releases
 *
 * Terraform's `plan -detailed-exitcode` convention: the CLI exits 0 in sync, 2 on drift, 1 on error.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { diffModel } from "#core/diff/model.js";
import type { Change } from "#core/diff/types.js";
import { type DefinitionType, definitionsIn, deployedXml } from "#core/release/definitions.js";
import { type EngineDefinition, engineInventory } from "#core/release/inventory.js";
import type { ReleaseTarget } from "#core/release/plan.js";
import { releaseIdentity } from "#core/release/plan.js";
import { describeRecord, OriginReader, type ReleaseRecord } from "#core/release/provenance.js";
import type { ModelKind, ReleaseSource, Resource } from "#core/release/source.js";
import { errorMessage, UserError } from "#core/util/errors.js";

export type DriftState = "in-sync" | "modified" | "unmanaged" | "missing" | "removed" | "retired";

export interface DriftEntry {
  type: DefinitionType;
  key: string;
  state: DriftState;
  /** The latest version was deployed by something other than this repository's releases. */
  foreign: boolean;
  /** True when this entry makes the environment drift. */
  drift: boolean;
  /** The repository file that defines the key (null for unmanaged, removed and retired keys). */
  file: string | null;
  /** The engine's latest version (null when missing). */
  deployed: {
    id: string;
    version: number;
    resource: string;
    deploymentId: string;
    suspended: boolean;
    deployedAt: string | null;
    /** Deployment name and source as the engine has them. */
    deploymentName: string | null;
    deploymentSource: string | null;
    /** The release that made it, when it was one (commit, run). */
    release: ReleaseRecord | null;
  } | null;
  /** One sentence: what is different and what to do. */
  note: string;
  /** For modified: the behaviour changes, git → engine (the review's diff). */
  changes: Change[];
}

export interface DriftReport {
  environment: string;
  restUrl: string;
  tenantId: string | null;
  /** The git side: commit and ref the files come from. */
  commit: string | null;
  ref: string | null;
  checkedAt: string;
  entries: DriftEntry[];
  counts: Record<DriftState, number> & { foreign: number; drift: number };
  inSync: boolean;
}

export interface DriftOptions {
  client: CamundaClient;
  target: ReleaseTarget;
  source: ReleaseSource;
  /** "owner/name" of this repository; releases of another repository count as foreign. */
  repository?: string | null;
  now?: () => Date;
  onProgress?: (detail: string) => void;
}

interface GitDefinition {
  type: DefinitionType;
  key: string;
  resource: Resource & { kind: ModelKind };
}

async function gitDefinitions(source: ReleaseSource): Promise<Map<string, GitDefinition>> {
  const found = new Map<string, GitDefinition>();
  for (const resource of source.resources) {
    // Camunda Forms define no process or decision; drift compares definitions only.
    if (resource.kind === "form") continue;
    let refs: Awaited<ReturnType<typeof definitionsIn>>;
    try {
      refs = await definitionsIn(resource.kind, resource.text);
    } catch (error) {
      throw new UserError(
        `${resource.file} cannot be read as ${resource.kind.toUpperCase()} (${errorMessage(error).split("\n")[0]}); run \`camunda-gitops lint ${resource.file}\` and fix it.`,
      );
    }
    const model = resource as Resource & { kind: ModelKind };
    for (const ref of refs)
      found.set(`${ref.type}:${ref.key}`, { type: ref.type, key: ref.key, resource: model });
  }
  return found;
}

function deployedView(definition: EngineDefinition): NonNullable<DriftEntry["deployed"]> {
  return {
    id: definition.id,
    version: definition.version,
    resource: definition.resource,
    deploymentId: definition.deploymentId,
    suspended: definition.suspended,
    deployedAt: definition.origin.time,
    deploymentName: definition.origin.name,
    deploymentSource: definition.origin.source,
    release: definition.origin.ours ? definition.origin.record : null,
  };
}

/** The behaviour changes of one key between git's file and the engine's resource, or null when unreadable. */
async function behaviourChanges(
  file: GitDefinition,
  engineXml: string,
): Promise<{ changes: Change[]; problem: string | null }> {
  const diff = await diffModel({
    file: file.resource.file,
    kind: file.resource.kind,
    before: file.resource.text,
    after: engineXml,
  });
  if (diff.problem) return { changes: [], problem: diff.problem };
  const changes = diff.changes.filter(
    (c) => c.type !== "layout" && (c.container === file.key || c.container === null || !c.container),
  );
  return { changes, problem: null };
}

function whereFrom(definition: EngineDefinition): string {
  const origin = definition.origin;
  if (origin.ours && origin.record) return `released from ${describeRecord(origin.record)}`;
  return origin.foreignReason ?? "deployed outside the releases";
}

async function compareKey(
  client: CamundaClient,
  file: GitDefinition,
  definition: EngineDefinition,
): Promise<DriftEntry> {
  const foreign = !definition.origin.ours;
  const base = {
    type: definition.type,
    key: definition.key,
    foreign,
    file: file.resource.file,
    deployed: deployedView(definition),
  };
  const label = `${definition.type} ${definition.key} version ${definition.version}`;
  const xml = await deployedXml(client, definition);
  if (xml === file.resource.text) {
    return {
      ...base,
      state: "in-sync",
      drift: foreign,
      note: foreign
        ? `${label} is ${file.resource.file} byte for byte, but was ${whereFrom(definition)}; release to put it under this repository's name.`
        : `${label} is ${file.resource.file}.`,
      changes: [],
    };
  }
  const { changes, problem } = await behaviourChanges(file, xml);
  if (problem) {
    return {
      ...base,
      state: "modified",
      drift: true,
      note: `${label} (${whereFrom(definition)}) differs from ${file.resource.file} and cannot be compared element by element (${problem}).`,
      changes: [],
    };
  }
  if (changes.length === 0) {
    return {
      ...base,
      state: "in-sync",
      drift: foreign,
      note: `${label} behaves as ${file.resource.file} (they differ in layout, formatting or modeler metadata only)${foreign ? `, but was ${whereFrom(definition)}` : ""}.`,
      changes: [],
    };
  }
  const cause = foreign
    ? `was ${whereFrom(definition)}: someone changed the engine; put the change into git or release to undo it`
    : `was ${whereFrom(definition)}; git changed since, and the next release deploys it`;
  return {
    ...base,
    state: "modified",
    drift: true,
    note: `${label} differs from ${file.resource.file} in ${changes.length} behaviour change(s) and ${cause}.`,
    changes,
  };
}

function notInGit(definition: EngineDefinition): DriftEntry {
  const base = {
    type: definition.type,
    key: definition.key,
    foreign: !definition.origin.ours,
    file: null,
    deployed: deployedView(definition),
    changes: [],
  };
  const label = `${definition.type} ${definition.key} version ${definition.version}`;
  if (definition.suspended) {
    return {
      ...base,
      state: "retired",
      drift: false,
      note: `${label} is not in git and is suspended: running instances finish, new ones are refused.`,
    };
  }
  if (definition.origin.ours) {
    if (definition.type === "decision") {
      // Camunda 7 has no suspension for decisions: nothing a release could do, so it is reported, not flagged.
      return {
        ...base,
        state: "removed",
        drift: false,
        note: `${label} was ${whereFrom(definition)}; its file left git, but Camunda 7 cannot suspend decisions, so it stays evaluable by key until the engine's data is cleaned up.`,
      };
    }
    return {
      ...base,
      state: "removed",
      drift: true,
      note: `${label} was ${whereFrom(definition)}; its file left git but new instances can still start; a release suspends it where the environment sets camunda.removedProcesses: suspend.`,
    };
  }
  return {
    ...base,
    state: "unmanaged",
    drift: true,
    note: `${label} is not in git: it was ${whereFrom(definition)}; add its file to the repository, or suspend or delete it in Cockpit.`,
  };
}

export async function detectDrift(options: DriftOptions): Promise<DriftReport> {
  const { client, target, source } = options;
  const progress = options.onProgress ?? (() => {});
  const origins = new OriginReader(client, releaseIdentity(target, options.repository ?? null));
  const git = await gitDefinitions(source);
  const engine = await engineInventory(client, target.tenantId, origins, progress);

  const entries: DriftEntry[] = [];
  const seen = new Set<string>();
  for (const definition of engine) {
    const id = `${definition.type}:${definition.key}`;
    seen.add(id);
    const file = git.get(id);
    progress(`comparing ${definition.key}`);
    entries.push(file ? await compareKey(client, file, definition) : notInGit(definition));
  }
  for (const [id, file] of git) {
    if (seen.has(id)) continue;
    entries.push({
      type: file.type,
      key: file.key,
      state: "missing",
      foreign: false,
      drift: true,
      file: file.resource.file,
      deployed: null,
      note: `${file.type} ${file.key} of ${file.resource.file} is not deployed in ${target.environment}; release to deploy it.`,
      changes: [],
    });
  }
  entries.sort((a, b) => Number(b.drift) - Number(a.drift) || a.key.localeCompare(b.key));

  const counts = {
    "in-sync": 0,
    modified: 0,
    unmanaged: 0,
    missing: 0,
    removed: 0,
    retired: 0,
    foreign: 0,
    drift: 0,
  };
  for (const entry of entries) {
    counts[entry.state]++;
    if (entry.foreign) counts.foreign++;
    if (entry.drift) counts.drift++;
  }
  return {
    environment: target.environment,
    restUrl: target.restUrl,
    tenantId: target.tenantId,
    commit: source.commit,
    ref: source.ref,
    checkedAt: (options.now ?? (() => new Date()))().toISOString(),
    entries,
    counts,
    inSync: counts.drift === 0,
  };
}
