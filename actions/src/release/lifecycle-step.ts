/**
 * The release's steps for what happens around new versions: which released models left git
 * (removal.ts), where the running instances of older versions go (#core/migration), and, after the
 * deployment and its verification, retiring the removed processes and moving the instances. Each is a
 * named step of its own, so the release reads as a list of steps.
 */
import { executeMigrations, type MigrationOutcome } from "#core/migration/execute.js";
import { loadInstructions } from "#core/migration/instructions.js";
import { type MigrationCandidate, planMigrations } from "#core/migration/plan.js";
import { UserError } from "#core/util/errors.js";
import { definitionsIn } from "./definitions.js";
import { type Plan, releaseIdentity, withLifecycle } from "./plan.js";
import { OriginReader } from "./provenance.js";
import type { PlanOptions, ReleaseOptions, ReleaseRow, StepRunner } from "./release.js";
import { planRemovals, type RemovalOutcome, type RemovedDefinition, suspendRemoved } from "./removal.js";
import type { ReleaseSource } from "./source.js";

/** Every process git holds, and each removed process with a declared target, as migration candidates. */
async function candidates(
  plan: Plan,
  source: ReleaseSource,
  removals: RemovedDefinition[],
): Promise<MigrationCandidate[]> {
  const texts = new Map(source.resources.map((r) => [r.name, r.text]));
  const fileOf = new Map<string, { file: string; text: string }>();
  const list: MigrationCandidate[] = [];
  for (const resource of plan.resources) {
    const text = texts.get(resource.name) ?? "";
    for (const definition of resource.definitions) {
      if (definition.type !== "process") continue;
      fileOf.set(definition.key, { file: resource.file, text });
      if (!definition.previous) continue;
      list.push({
        key: definition.key,
        targetKey: definition.key,
        file: resource.file,
        text,
        removed: false,
        // Unchanged: its latest version stays the latest, so only older versions' instances can move.
        exceptDefinitionId: resource.status === "unchanged" ? definition.previous.id : null,
      });
    }
  }
  for (const removed of removals) {
    if (removed.type !== "process") continue;
    const declared = loadInstructions(source.processesDir, source.processesPath, removed.key);
    if (!declared?.target) continue;
    const target = fileOf.get(declared.target);
    if (!target) {
      throw new UserError(
        `${declared.file}: target ${declared.target} is not a process of any file under ${source.processesPath}/; name a process the release deploys, or delete the file to leave the instances of ${removed.key} where they are.`,
      );
    }
    list.push({
      key: removed.key,
      targetKey: declared.target,
      ...target,
      removed: true,
      exceptDefinitionId: null,
    });
  }
  return list;
}

/** Plans removals and migrations and adds them to the plan (and to its digest). */
export async function planLifecycle(
  options: PlanOptions,
  source: ReleaseSource,
  plan: Plan,
  step: StepRunner,
): Promise<Plan> {
  const { client, target } = options;
  const inGit = new Set<string>();
  for (const resource of source.resources) {
    for (const ref of await definitionsIn(resource.kind, resource.text)) inGit.add(`${ref.type}:${ref.key}`);
  }
  const origins = new OriginReader(client, releaseIdentity(target, options.provenance?.repository ?? null));
  const removals = await step(`Looking for released models that left git`, () =>
    planRemovals({
      client,
      tenantId: target.tenantId,
      inGit,
      origins,
      policy: target.removedProcesses ?? "keep",
    }),
  );
  const list = await candidates(plan, source, removals);
  const migration = await step(`Planning where running instances go`, (update) =>
    planMigrations({
      client,
      tenantId: target.tenantId,
      processesDir: source.processesDir,
      processesPath: source.processesPath,
      policy: target.migration ?? "never",
      force: options.migrate ?? false,
      candidates: list,
      onProgress: update,
    }),
  );
  return withLifecycle(plan, migration, removals);
}

/** Before anything is deployed: the policy requires a migration the plan says cannot happen. */
export function refuseStrandedInstances(plan: Plan): void {
  const blocking = plan.migration?.blocking ?? [];
  if (blocking.length === 0) return;
  throw new UserError(
    `the release to ${plan.target.environment} would leave running instances behind, and its migration policy is required; nothing was deployed. Declare where they go in processes/migrations/<key>.yaml, or release with a policy that lets them finish on their version.`,
    { exitCode: 1, details: blocking },
  );
}

export interface LifecycleResult {
  removals: RemovalOutcome[];
  migrations: MigrationOutcome[];
}

/** After the verified deployment: suspend removed processes, then move instances to the new versions. */
export async function applyLifecycle(
  options: ReleaseOptions,
  plan: Plan,
  source: ReleaseSource,
  rows: ReleaseRow[],
  step: StepRunner,
): Promise<LifecycleResult> {
  const { client, target } = options;
  const toSuspend = plan.removals.filter((r) => r.action === "suspend");
  const removals =
    toSuspend.length > 0
      ? await step(`Suspending ${toSuspend.length} process(es) removed from git`, (update) =>
          suspendRemoved(client, toSuspend, target.tenantId, update),
        )
      : [];
  const section = plan.migration;
  const moving = section?.enabled
    ? section.processes.flatMap((p) => p.sources.filter((s) => s.action === "migrate"))
    : [];
  if (!section || moving.length === 0) return { removals, migrations: [] };
  const targets = new Map(
    rows.filter((r) => r.type === "process" && r.definitionId).map((r) => [r.key, r.definitionId!]),
  );
  const migrations = await step(
    `Migrating running instances of ${moving.length} older version(s)`,
    (update) =>
      executeMigrations({
        client,
        section,
        targets,
        processesDir: source.processesDir,
        processesPath: source.processesPath,
        ...(options.migrationTimeoutMs !== undefined ? { timeoutMs: options.migrationTimeoutMs } : {}),
        onProgress: update,
      }),
  );
  return { removals, migrations };
}

/** What the release reports as incomplete: instances the policy wanted moved that stayed. */
export function migrationShortfall(plan: Plan, migrations: MigrationOutcome[]): string[] {
  if (plan.migration?.policy !== "required") return [];
  return migrations
    .filter((m) => m.status !== "migrated")
    .map(
      (m) =>
        `${m.key} version ${m.sourceVersion}: ${m.leftBehind} of ${m.instances} instance(s) stayed (${m.reasons[0] ?? m.status})`,
    );
}
