/**
 * After the deployment: move the running instances the plan decided to move. Per older version, the
 * engine generates its migration plan (activities with the same id and kind), the declared
 * instructions are merged in (renames, recomputed event triggers, variables), the engine validates it,
 * and the activities instances wait in are checked once more against it. Only a version whose every
 * waiting instance is covered is migrated — all of them or none, never half — through
 * `/migration/executeAsync`, a batch the job executor works off, with progress until it is done.
 * What the engine could not move is reported with its reason (the batch job's incident).
 */
import type { CamundaClient } from "#core/camunda/index.js";
import type { components } from "#core/camunda/openapi.js";
import { sleep } from "#core/util/sleep.js";
import {
  type DeclaredInstructions,
  loadInstructions,
  typedVariables,
  updatesTrigger,
} from "./instructions.js";
import { type ProcessModel, readProcessModel } from "./model.js";
import type { MigrationSection, MigrationSource, ProcessMigration } from "./plan.js";
import { Mapper, MI_BODY } from "./predict.js";
import { activeActivities, instancesOn } from "./running.js";

type EnginePlan = components["schemas"]["MigrationPlanDto"];
type Instruction = components["schemas"]["MigrationInstructionDto"];

export type OutcomeStatus = "migrated" | "partly migrated" | "left" | "still running";

export interface MigrationOutcome {
  key: string;
  targetKey: string;
  sourceDefinitionId: string;
  sourceVersion: number;
  targetDefinitionId: string;
  status: OutcomeStatus;
  /** Instances on the source version when the migration started. */
  instances: number;
  migrated: number;
  /** Instances still on the source version afterwards. */
  leftBehind: number;
  batchId: string | null;
  /** Why instances stayed: the engine's validation, the coverage check, the batch's incidents. */
  reasons: string[];
}

export interface ExecuteOptions {
  client: CamundaClient;
  section: MigrationSection;
  /** Definition id of each target key's new latest version (from the verification). */
  targets: Map<string, string>;
  processesDir: string;
  processesPath: string;
  /** How long to wait for one batch; default 10 minutes. It goes on in the engine afterwards. */
  timeoutMs?: number;
  pollMs?: number;
  onProgress?: (detail: string) => void;
}

/**
 * The engine's generated instructions with the declared ones merged in. The generator maps only what
 * keeps its id, so it also skipped what hangs on a renamed activity: its boundary events, the events
 * after a renamed event-based gateway, the content of a renamed sub-process. Those are added when the
 * target has them in the corresponding place (Mapper), so a renamed review keeps its overdue timer.
 */
function engineInstructions(
  generated: EnginePlan,
  declared: DeclaredInstructions | null,
  source: ProcessModel | null,
  target: ProcessModel | null,
): Instruction[] {
  const renamed = declared?.activities ?? {};
  const kept = (generated.instructions ?? []).filter((i) => {
    const from = i.sourceActivityIds?.[0] ?? "";
    return !(from.replace(MI_BODY, "") in renamed);
  });
  const added: Instruction[] = [];
  const add = (from: string, to: string) => {
    added.push({ sourceActivityIds: [from], targetActivityIds: [to] });
    // A multi-instance activity moves with its body.
    if (source?.nodes.get(from)?.multiInstance && target?.nodes.get(to)?.multiInstance) {
      added.push({ sourceActivityIds: [`${from}${MI_BODY}`], targetActivityIds: [`${to}${MI_BODY}`] });
    }
  };
  for (const [from, to] of Object.entries(renamed)) add(from, to);
  if (source && target && Object.keys(renamed).length > 0) {
    const mapper = new Mapper(source, target, declared, declared?.file ?? "");
    const mapped = new Set([...kept, ...added].map((i) => i.sourceActivityIds?.[0]));
    for (const node of source.nodes.values()) {
      if (mapped.has(node.id) || !node.holdsInstances) continue;
      const onRenamed =
        (node.attachedTo && node.attachedTo in renamed) ||
        (node.scope && node.scope in renamed) ||
        [...source.nodes.values()].some((g) => g.id in renamed && g.following.includes(node.id));
      const mapping = onRenamed ? mapper.map(node.id) : null;
      if (mapping?.target) add(node.id, mapping.target.id);
    }
  }
  return [...kept, ...added].map((i) => {
    const from = i.sourceActivityIds?.[0] ?? "";
    const to = i.targetActivityIds?.[0] ?? "";
    const event = Boolean(source?.nodes.get(from)?.trigger && target?.nodes.get(to)?.trigger);
    return { ...i, updateEventTrigger: event && updatesTrigger(declared, from, to) };
  });
}

async function buildPlan(
  client: CamundaClient,
  process: ProcessMigration,
  sourceId: string,
  targetId: string,
  declared: DeclaredInstructions | null,
): Promise<EnginePlan> {
  const generated = await client.ok(
    client.api.POST("/migration/generate", {
      body: {
        sourceProcessDefinitionId: sourceId,
        targetProcessDefinitionId: targetId,
        updateEventTriggers: false,
      },
    }),
  );
  const xml = async (id: string) =>
    (await client.ok(client.api.GET("/process-definition/{id}/xml", { params: { path: { id } } })))
      .bpmn20Xml ?? "";
  const source = await readProcessModel(await xml(sourceId), process.key);
  const target = await readProcessModel(await xml(targetId), process.targetKey);
  const variables = typedVariables(declared);
  return {
    sourceProcessDefinitionId: sourceId,
    targetProcessDefinitionId: targetId,
    instructions: engineInstructions(generated, declared, source, target),
    ...(Object.keys(variables).length > 0 ? { variables } : {}),
  };
}

async function validationFailures(client: CamundaClient, plan: EnginePlan): Promise<string[]> {
  const report = await client.ok(client.api.POST("/migration/validate", { body: plan }));
  const failures = (report.instructionReports ?? []).flatMap((r) =>
    (r.failures ?? []).map(
      (f) => `${r.instruction?.sourceActivityIds?.[0]} → ${r.instruction?.targetActivityIds?.[0]}: ${f}`,
    ),
  );
  for (const [name, v] of Object.entries(report.variableReports ?? {})) {
    for (const f of v.failures ?? []) failures.push(`variable ${name}: ${f}`);
  }
  return failures;
}

interface BatchProgress {
  total: number;
  done: number;
  failed: number;
  finished: boolean;
}

async function batchProgress(client: CamundaClient, batchId: string, total: number): Promise<BatchProgress> {
  const [stats] = await client.ok(client.api.GET("/batch/statistics", { params: { query: { batchId } } }));
  // The batch leaves the runtime tables once its monitor job sees every job completed.
  if (!stats) return { total, done: total, failed: 0, finished: true };
  const created = stats.jobsCreated ?? 0;
  const remaining = stats.remainingJobs ?? 0;
  const failed = stats.failedJobs ?? 0;
  return {
    total: stats.totalJobs ?? total,
    done: stats.completedJobs ?? 0,
    failed,
    finished: created >= (stats.totalJobs ?? total) && remaining <= failed,
  };
}

async function batchIncidents(client: CamundaClient, batchJobDefinitionId: string | null): Promise<string[]> {
  if (!batchJobDefinitionId) return [];
  const incidents = await client.ok(
    client.api.GET("/incident", { params: { query: { jobDefinitionIdIn: batchJobDefinitionId } } }),
  );
  return [...new Set(incidents.map((i) => (i.incidentMessage ?? "no message").split("\n")[0] ?? ""))].map(
    (m) => `the engine could not move an instance: ${m}`,
  );
}

async function migrateSource(
  options: ExecuteOptions,
  process: ProcessMigration,
  source: MigrationSource,
  targetId: string,
  declared: DeclaredInstructions | null,
): Promise<MigrationOutcome> {
  const { client } = options;
  const outcome: MigrationOutcome = {
    key: process.key,
    targetKey: process.targetKey,
    sourceDefinitionId: source.definitionId,
    sourceVersion: source.version,
    targetDefinitionId: targetId,
    status: "left",
    instances: await instancesOn(client, source.definitionId),
    migrated: 0,
    leftBehind: 0,
    batchId: null,
    reasons: [],
  };
  outcome.leftBehind = outcome.instances;
  if (outcome.instances === 0) return { ...outcome, status: "migrated" };
  const plan = await buildPlan(client, process, source.definitionId, targetId, declared);
  const failures = await validationFailures(client, plan);
  if (failures.length > 0) return { ...outcome, reasons: failures.map((f) => `the engine refuses ${f}`) };

  // The completeness check, now against the engine's own plan and the instances as they are now.
  const covered = new Set((plan.instructions ?? []).map((i) => i.sourceActivityIds?.[0]));
  const uncovered = (await activeActivities(client, source.definitionId)).filter((a) => !covered.has(a.id));
  if (uncovered.length > 0) {
    return {
      ...outcome,
      reasons: uncovered.map(
        (a) => `${a.instances} waiting in ${a.id}, which the engine's plan does not map`,
      ),
    };
  }

  const batch = await client.ok(
    client.api.POST("/migration/executeAsync", {
      body: { migrationPlan: plan, processInstanceQuery: { processDefinitionId: source.definitionId } },
    }),
  );
  outcome.batchId = batch.id ?? null;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let progress: BatchProgress = { total: batch.totalJobs ?? 0, done: 0, failed: 0, finished: false };
  while (batch.id && Date.now() < deadline) {
    progress = await batchProgress(client, batch.id, batch.totalJobs ?? 0);
    options.onProgress?.(
      `${process.key} version ${source.version}: ${progress.done}/${progress.total} instance(s) moved${progress.failed ? `, ${progress.failed} failed` : ""}`,
    );
    if (progress.finished) break;
    await sleep(options.pollMs ?? 500);
  }
  outcome.leftBehind = await instancesOn(client, source.definitionId);
  outcome.migrated = Math.max(0, outcome.instances - outcome.leftBehind);
  outcome.reasons = await batchIncidents(client, batch.batchJobDefinitionId ?? null);
  if (!progress.finished) {
    outcome.status = "still running";
    outcome.reasons.push(
      `batch ${batch.id} was not done after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s; it goes on in the engine (Cockpit, Batches)`,
    );
  } else {
    outcome.status =
      outcome.leftBehind === 0 ? "migrated" : outcome.migrated > 0 ? "partly migrated" : "left";
  }
  return outcome;
}

/** Runs the migrations the plan decided; instances it decided to leave are not touched. */
export async function executeMigrations(options: ExecuteOptions): Promise<MigrationOutcome[]> {
  const outcomes: MigrationOutcome[] = [];
  if (!options.section.enabled) return outcomes;
  for (const process of options.section.processes) {
    const targetId = options.targets.get(process.targetKey);
    if (!targetId) continue;
    const declared = loadInstructions(options.processesDir, options.processesPath, process.key);
    for (const source of process.sources) {
      if (source.action !== "migrate" || source.definitionId === targetId) continue;
      outcomes.push(await migrateSource(options, process, source, targetId, declared));
    }
  }
  return outcomes;
}
