/**
 * The migration part of a release plan. For each process that gets a new version (and each removed
 * process with a declared target), every older version that still has running instances: how many,
 * where they wait, where each activity maps to, what cannot move and why, and what the release will do
 * under the environment's policy:
 *
 *   never     instances stay on their version (`release --migrate` moves them for one release)
 *   covered   instances move when every activity they wait in is covered; otherwise all stay
 *   required  as covered, but a release that would leave instances behind is refused before it deploys
 *
 * and the `camunda:versionTag` rule of the anchor migrators: between semantic versions, a patch
 * migrates automatically, a minor version only with declared instructions, a major version never.
 * Planning only reads from the engine.
 */
import { createHash } from "node:crypto";
import type { CamundaClient } from "#core/camunda/index.js";
import { diffModel } from "#core/diff/model.js";
import { deployedXml } from "#core/release/definitions.js";
import { type DeclaredInstructions, loadInstructions } from "./instructions.js";
import { type ProcessModel, readProcessModel, semver } from "./model.js";
import { type ActivityCoverage, coverage, Mapper } from "./predict.js";
import { type RunningVersion, runningVersions } from "./running.js";

export type MigrationPolicy = "never" | "covered" | "required";

export interface MigrationSource {
  definitionId: string;
  version: number;
  versionTag: string | null;
  instances: number;
  activities: ActivityCoverage[];
  warnings: string[];
  action: "migrate" | "leave";
  /** Why the instances stay (empty when they move). */
  reasons: string[];
  /** True when they stay because they cannot move (not because of the policy or a version tag). */
  stranded: boolean;
}

export interface ProcessMigration {
  /** The key whose older versions have instances. */
  key: string;
  /** The key they move to (the same key, or a removed process's declared target). */
  targetKey: string;
  /** The repository file that defines targetKey. */
  file: string;
  instructionsFile: string | null;
  /** The source key's file left git; its instances move to another process. */
  removed: boolean;
  sources: MigrationSource[];
  declarationErrors: string[];
}

export interface MigrationSection {
  policy: MigrationPolicy;
  /** Migrations run in this release (the policy is not never, or --migrate). */
  enabled: boolean;
  processes: ProcessMigration[];
  /** With policy required: what refuses the release (instances that could not move). */
  blocking: string[];
  /** Fingerprint of what was decided (policy, targets, declared instructions), not of live counts. */
  digest: string;
}

/** One process key to plan for: its new model from git and, for a removed process, its target. */
export interface MigrationCandidate {
  key: string;
  targetKey: string;
  /** The repository file and text that define targetKey. */
  file: string;
  text: string;
  removed: boolean;
  /** A version whose instances are where they belong (an unchanged process's latest version). */
  exceptDefinitionId: string | null;
}

export interface PlanMigrationOptions {
  client: CamundaClient;
  tenantId: string | null;
  processesDir: string;
  processesPath: string;
  policy: MigrationPolicy;
  /** `--migrate`: migrate in this release even where the policy is never. */
  force: boolean;
  candidates: MigrationCandidate[];
  onProgress?: (detail: string) => void;
}

function versionRule(
  source: RunningVersion,
  target: ProcessModel,
  declared: DeclaredInstructions | null,
  file: string,
): string | null {
  const from = semver(source.versionTag);
  const to = semver(target.versionTag);
  if (!from || !to) return null;
  if (to.major !== from.major) {
    return `version tag ${source.versionTag} → ${target.versionTag} is a major version: its instances finish where they are`;
  }
  if (to.minor !== from.minor && !declared) {
    return `version tag ${source.versionTag} → ${target.versionTag} is a minor version: it migrates only with declared instructions in ${file}`;
  }
  return null;
}

async function planSource(
  options: PlanMigrationOptions,
  candidate: MigrationCandidate,
  target: ProcessModel,
  declared: DeclaredInstructions | null,
  instructionsFile: string,
  running: RunningVersion,
  enabled: boolean,
): Promise<{ source: MigrationSource; declarationErrors: string[] }> {
  const xml = await deployedXml(options.client, { type: "process", id: running.definitionId });
  const model = await readProcessModel(xml, candidate.key);
  const base = {
    definitionId: running.definitionId,
    version: running.version,
    versionTag: running.versionTag,
    instances: running.instances,
  };
  if (!model) {
    const problem = `the deployed version ${running.version} cannot be read as process ${candidate.key}`;
    return {
      source: {
        ...base,
        activities: running.activities.map((a) => ({ ...a, mappedTo: null, problem })),
        warnings: [],
        action: "leave",
        reasons: [problem],
        stranded: true,
      },
      declarationErrors: [],
    };
  }
  const diff = candidate.removed
    ? []
    : (await diffModel({ file: candidate.file, kind: "bpmn", before: xml, after: candidate.text })).changes;
  const mapper = new Mapper(model, target, declared, instructionsFile);
  const covered = coverage(mapper, running.activities, diff, instructionsFile);
  const reasons: string[] = [];
  let stranded = false;
  const rule = versionRule(running, target, declared, instructionsFile);
  if (rule) reasons.push(rule);
  else if (!covered.complete) {
    stranded = true;
    reasons.push(
      ...covered.activities
        .filter((a) => a.problem)
        .map((a) => `${a.instances} waiting in ${a.id}: ${a.problem}`),
      ...covered.declarationErrors,
    );
  } else if (!enabled) {
    reasons.push(
      "the environment's migration policy is never; `release --migrate` moves them in one release",
    );
  }
  return {
    source: {
      ...base,
      activities: covered.activities,
      warnings: covered.warnings,
      action: reasons.length === 0 ? "migrate" : "leave",
      reasons,
      stranded,
    },
    declarationErrors: covered.declarationErrors,
  };
}

export async function planMigrations(options: PlanMigrationOptions): Promise<MigrationSection> {
  const enabled = options.policy !== "never" || options.force;
  const processes: ProcessMigration[] = [];
  const decided: unknown[] = [];
  for (const candidate of options.candidates) {
    options.onProgress?.(`running instances of ${candidate.key}`);
    const declared = loadInstructions(options.processesDir, options.processesPath, candidate.key);
    const instructionsFile = declared?.file ?? `${options.processesPath}/migrations/${candidate.key}.yaml`;
    decided.push([candidate.key, candidate.targetKey, declared]);
    const running = await runningVersions(
      options.client,
      candidate.key,
      options.tenantId,
      candidate.exceptDefinitionId,
    );
    if (running.length === 0) continue;
    const target = await readProcessModel(candidate.text, candidate.targetKey);
    if (!target) continue;
    const sources: MigrationSource[] = [];
    const declarationErrors = new Set<string>();
    for (const version of running) {
      const { source, declarationErrors: errors } = await planSource(
        options,
        candidate,
        target,
        declared,
        instructionsFile,
        version,
        enabled,
      );
      sources.push(source);
      for (const e of errors) declarationErrors.add(e);
    }
    processes.push({
      key: candidate.key,
      targetKey: candidate.targetKey,
      file: candidate.file,
      instructionsFile: declared?.file ?? null,
      removed: candidate.removed,
      sources,
      declarationErrors: [...declarationErrors],
    });
  }
  const blocking =
    options.policy === "required"
      ? processes.flatMap((p) =>
          p.sources
            .filter((s) => s.stranded)
            .map(
              (s) =>
                `${p.key} version ${s.version}: ${s.instances} instance(s) cannot move (${s.reasons[0]})`,
            ),
        )
      : [];
  const digest = createHash("sha256")
    .update(JSON.stringify({ policy: options.policy, enabled, decided }))
    .digest("hex")
    .slice(0, 16);
  return { policy: options.policy, enabled, processes, blocking, digest };
}

/** Counts for one line: "3 instance(s) of 2 version(s) move, 1 stays". */
export function migrationTotals(section: MigrationSection) {
  let moving = 0;
  let staying = 0;
  for (const p of section.processes) {
    for (const s of p.sources) {
      if (s.action === "migrate") moving += s.instances;
      else staying += s.instances;
    }
  }
  return { moving, staying };
}
