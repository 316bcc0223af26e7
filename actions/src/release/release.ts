/**
 * A release of processes/ to one environment's engine: lint gate, plan, one atomic deployment,
 * verification, optional smoke test. The same core serves the CLI and the GitHub Action; it knows
 * nothing about either and reports progress through the `step` runner it is given.
 *
 * Idempotency comes from the engine: every resource is sent with a stable deployment name and source
 * and with `enable-duplicate-filtering` + `deploy-changed-only`, so the engine versions exactly the
 * resources whose bytes differ from the latest resource of the same name in deployments with that
 * name and source (and tenant). The repository, the git commit and the CI run are recorded in an extra
 * resource, `release.json` (provenance.ts), never in the deployment name, because a per-commit name
 * would defeat that comparison; drift and the plan read it back to tell releases from hand
 * deployments. It is only sent when the plan has something to deploy, so releasing an unchanged tree
 * from a new commit creates no deployment at all.
 */
import { type CamundaClient, CamundaError } from "#core/camunda/index.js";
import type { ManifestCapabilities } from "#core/fidelity/manifest.js";
import type { IdentityChange } from "#core/identities/index.js";
import type { LintReport } from "#core/lint/index.js";
import type { ProbeReport } from "#core/probe/probe.js";
import { UsageError, UserError } from "#core/util/errors.js";
import { step as progressStep } from "#core/util/progress.js";
import { explainDeployFailure } from "./deploy-errors.js";
import { engineProbeFailures, probeReleasedEngine } from "./engine-probe.js";
import { MigrationShortfallError, SmokeFailedError } from "./follow-up-errors.js";
import { formRow } from "./form-plan.js";
import {
  applyIdentityStep,
  checkIdentityStep,
  type IdentityWriteOptions,
  planIdentityStep,
} from "./identities-step.js";
import { checkApprovedPlan, requireApprovedPlan, requireCommitted } from "./integrity.js";
import {
  applyLifecycle,
  type LifecycleResult,
  migrationShortfall,
  planLifecycle,
  refuseStrandedInstances,
} from "./lifecycle-step.js";
import { type LintGate, runLintGate } from "./lint-gate.js";
import {
  computePlan,
  type Plan,
  planHasChanges,
  type ReleaseTarget,
  releaseIdentity,
  withIdentities,
} from "./plan.js";
import {
  OriginReader,
  RELEASE_INFO_RESOURCE,
  type ReleaseProvenance,
  type ReleaseRecord,
} from "./provenance.js";
import { type ResourceSelection, redeployedUnchanged, selectResources } from "./selection.js";
import type { SmokeOutcome } from "./smoke.js";
import { smokeTestNewProcesses } from "./smoke-step.js";
import { openSource, type ReleaseSource } from "./source.js";
import { verify } from "./verify.js";

export { MigrationShortfallError, ReleaseFollowUpError, SmokeFailedError } from "./follow-up-errors.js";

/** Runs one named step with progress (a spinner on a terminal, a line per step in CI). */
export type StepRunner = <T>(
  title: string,
  fn: (update: (detail: string) => void) => Promise<T>,
) => Promise<T>;

export const defaultStepRunner: StepRunner = (title, fn) =>
  progressStep(title, (handle) => fn(handle.update));

export { RELEASE_INFO_RESOURCE };

export interface PlanOptions {
  client: CamundaClient;
  target: ReleaseTarget;
  /** Repository whose processes are released. Tests pass a temporary repository. */
  repoRoot: string;
  /** Processes folder relative to the repository root; default `processes`. */
  processesPath?: string;
  /** Deploy the files of this git ref (tag, branch, sha) instead of the working tree. */
  ref?: string | undefined;
  /** Accept a ref that is not on the main branch (see source.ts); the adapters allow it outside prod only. */
  allowUnmerged?: boolean;
  step?: StepRunner;
  /**
   * The repository and the CI run releasing (recorded in release.json); the repository also tells
   * this repository's releases from other deployments. Default: neither known.
   */
  provenance?: ReleaseProvenance;
  /** `--migrate`: move running instances in this release even where the environment's policy is never. */
  migrate?: boolean;
  /** The environment file's identities (groups, users, grants, filters); absent: left alone. */
  identities?: IdentityWriteOptions["identities"];
}

export interface ReleaseOptions extends PlanOptions {
  /** Revocations go ahead where the environment file sets identities.confirmRevocations. */
  allowRevocations?: boolean;
  /** The release user's own password: changing another user's password needs it. */
  authenticatedUserPassword?: () => string;
  /** Lint and plan only. */
  dryRun?: boolean;
  /** Start each newly deployed process once (see smoke.ts). */
  smoke?: boolean;
  /** From the environment file; `smoke` is refused when false. */
  allowSmokeTests?: boolean;
  /** The linter gate (projectLintGate); null skips it (only for tests of the engine's own checks). */
  lint: LintGate | null;
  /** Refuse to deploy unless the fresh plan has this digest (the plan people approved). */
  expectedPlanDigest?: string | undefined;
  /** Refuse to deploy without expectedPlanDigest; deploy uncommitted models (see integrity.ts). */
  requirePlanDigest?: boolean;
  allowDirty?: boolean;
  /**
   * With smoke: probe the engine read-only against these capabilities (the production image's, from
   * engine/run-7.23.0.yaml of the tool's checkout). Without them the smoke test starts instances only.
   */
  engineCapabilities?: ManifestCapabilities | undefined;
  /** How long to wait for one migration batch (default 10 minutes; it goes on in the engine afterwards). */
  migrationTimeoutMs?: number;
}

export type RowStatus = "new" | "updated" | "unchanged" | "planned";

/** One line of the result table: key -> previous version -> new version -> definition id. */
export interface ReleaseRow {
  /** A Camunda Form has no version or id the REST API shows: those stay null. */
  type: "process" | "decision" | "form";
  key: string;
  file: string;
  previousVersion: number | null;
  newVersion: number | null;
  definitionId: string | null;
  /** new/updated/unchanged after a release; planned in a plan or dry run. */
  status: RowStatus;
  /** Plan status of the file and its summary. */
  change: "new" | "changed" | "unchanged";
  summary: string | null;
}

export interface ReleaseResult {
  environment: string;
  dryRun: boolean;
  plan: Plan;
  /** The deployment that the engine answered with; null in a dry run. */
  deployment: { id: string; created: boolean; name: string; source: string; tenantId: string | null } | null;
  rows: ReleaseRow[];
  /** Definitions that got a new version. */
  newVersions: number;
  lint: { errors: number; warnings: number } | null;
  smoke: SmokeOutcome[];
  /** With smoke: the read-only engine probe against the production image's capabilities; else null. */
  engineProbe: ProbeReport | null;
  /** Processes removed from git that this release suspended. */
  removals: LifecycleResult["removals"];
  /** Running instances moved to the new versions, per older version. */
  migrations: LifecycleResult["migrations"];
  /** Identity changes made (plan.identities lists what was planned); [] in a dry run. */
  identitiesApplied: IdentityChange[];
}

function planRows(plan: Plan): ReleaseRow[] {
  return plan.resources.flatMap((resource) =>
    resource.kind === "form"
      ? [formRow(resource, "planned")]
      : resource.definitions.map((d) => ({
          type: d.type,
          key: d.key,
          file: resource.file,
          previousVersion: d.previous?.version ?? null,
          newVersion: null,
          definitionId: d.previous?.id ?? null,
          status: "planned" as const,
          change: resource.status,
          summary: resource.summary,
        })),
  );
}

async function withSource<T>(options: PlanOptions, fn: (source: ReleaseSource) => Promise<T>): Promise<T> {
  const source = await openSource({
    repoRoot: options.repoRoot,
    ...(options.processesPath ? { processesPath: options.processesPath } : {}),
    ref: options.ref,
    ...(options.allowUnmerged ? { allowUnmerged: true } : {}),
  });
  try {
    if (source.resources.length === 0) {
      throw new UserError(
        `there is no .bpmn or .dmn file under ${source.processesPath}/${options.ref ? ` at ${options.ref}` : ""}; nothing to release.`,
      );
    }
    return await fn(source);
  } finally {
    await source.dispose();
  }
}

/** What a release would do. Reads from the engine, never writes. */
export async function planRelease(options: PlanOptions): Promise<{ plan: Plan; rows: ReleaseRow[] }> {
  const step = options.step ?? defaultStepRunner;
  return withSource(options, async (source) => {
    const processes = await step(
      `Planning against ${options.target.environment} (${options.target.restUrl})`,
      (update) => planProcesses(options, source, update),
    );
    const identities = await planIdentityStep(options, step);
    const plan = withIdentities(
      await planLifecycle(options, source, processes, step),
      identities?.plan ?? null,
    );
    return { plan, rows: planRows(plan) };
  });
}

const UNKNOWN_PROVENANCE: ReleaseProvenance = { repository: null, run: null };

/** The repository, commit, ref and run of a release, as the engine keeps them (see the module comment). */
export function releaseInfo(plan: Plan, provenance: ReleaseProvenance = UNKNOWN_PROVENANCE): string {
  const info: ReleaseRecord = {
    repository: provenance.repository,
    commit: plan.commit,
    ref: plan.ref,
    dirty: plan.dirty,
    environment: plan.target.environment,
    run: provenance.run,
    resources: Object.fromEntries(plan.resources.map((r) => [r.name, `sha256:${r.sha256}`])),
  };
  return `${JSON.stringify(info, null, 2)}\n`;
}

/** Plans with the origin of each deployment judged against this repository's releases. */
function planProcesses(options: PlanOptions, source: ReleaseSource, update: (detail: string) => void) {
  const identity = releaseIdentity(options.target, options.provenance?.repository ?? null);
  return computePlan(
    options.client,
    source,
    options.target,
    update,
    new OriginReader(options.client, identity),
  );
}

export async function release(options: ReleaseOptions): Promise<ReleaseResult> {
  const step = options.step ?? defaultStepRunner;
  const target = options.target;
  if (options.smoke && !options.allowSmokeTests) {
    throw new UsageError(
      `--smoke is not allowed in environment "${target.environment}": its file does not set camunda.allowSmokeTests: true; release without --smoke.`,
    );
  }
  requireApprovedPlan(options, target.environment);
  return withSource(options, async (source) => {
    if (!options.dryRun) requireCommitted(source, options.allowDirty === true, target.environment);
    const lint = options.lint ? await lintModels(options.lint, source, step) : null;
    const processes = await step(`Planning against ${target.environment} (${target.restUrl})`, (update) =>
      planProcesses(options, source, update),
    );
    const identities = await planIdentityStep(options, step);
    const plan = withIdentities(
      await planLifecycle(options, source, processes, step),
      identities?.plan ?? null,
    );
    checkApprovedPlan(plan, options.expectedPlanDigest, target);
    const base = {
      environment: target.environment,
      plan,
      lint,
      smoke: [] as SmokeOutcome[],
      engineProbe: null as ProbeReport | null,
      removals: [] as LifecycleResult["removals"],
      migrations: [] as LifecycleResult["migrations"],
      identitiesApplied: [] as IdentityChange[],
    };
    if (options.dryRun) {
      return { ...base, dryRun: true, deployment: null, rows: planRows(plan), newVersions: 0 };
    }
    refuseStrandedInstances(plan);

    // Identities give before the deployment and take away after it; both are checked before any write.
    await checkIdentityStep(identities, options);
    const given = await applyIdentityStep(identities, "grant", options, step);
    const selection = selectResources(plan, source);
    const deployment = await step(selection.title(target), () =>
      deployResources(options.client, target, plan, selection, options.provenance),
    );
    const rows = await step(`Verifying ${target.environment}`, () =>
      verify(options.client, plan, selection.byName, target, redeployedUnchanged(selection)),
    );
    const lifecycle = await applyLifecycle(options, plan, source, rows, step);
    const taken = await applyIdentityStep(identities, "revoke", options, step);
    base.identitiesApplied = [...given, ...taken];
    const smoke = options.smoke
      ? await smokeTestNewProcesses(options.client, source, plan, rows, selection.deployable, step)
      : [];
    // Part of the smoke test: is the engine the released models run on the one they were tested on?
    const capabilities = options.engineCapabilities;
    const engineProbe =
      options.smoke && capabilities
        ? await step(`Probing the engine of ${target.environment} (read-only)`, () =>
            probeReleasedEngine(options.client, capabilities),
          )
        : null;
    const result: ReleaseResult = {
      ...base,
      dryRun: false,
      deployment: {
        id: deployment.id ?? "",
        created:
          Object.keys(deployment.deployedProcessDefinitions ?? {}).length +
            Object.keys(deployment.deployedDecisionDefinitions ?? {}).length >
          0,
        name: target.deploymentName,
        source: target.deploymentSource,
        tenantId: target.tenantId,
      },
      rows,
      newVersions: rows.filter((r) => r.status !== "unchanged").length,
      smoke,
      engineProbe,
      ...lifecycle,
    };
    const failed = [...smoke.filter((s) => s.status === "failed"), ...engineProbeFailures(engineProbe)];
    if (failed.length > 0) throw new SmokeFailedError(result, failed);
    const stranded = migrationShortfall(plan, lifecycle.migrations);
    if (stranded.length > 0) throw new MigrationShortfallError(result, stranded);
    return result;
  });
}

/** Step 1: the linter refuses the release before anything reaches the engine. */
async function lintModels(
  gate: LintGate,
  source: ReleaseSource,
  step: StepRunner,
): Promise<NonNullable<ReleaseResult["lint"]>> {
  const report: LintReport = await step(`Linting ${source.resources.length} model file(s)`, () =>
    runLintGate(gate, { ...source, files: source.resources.map((r) => r.absolute) }),
  );
  return { errors: report.summary.errors, warnings: report.summary.warnings };
}

/** Step 3b: one atomic deployment; a parse failure is explained on the lines of the files concerned. */
async function deployResources(
  client: CamundaClient,
  target: ReleaseTarget,
  plan: Plan,
  selection: ResourceSelection,
  provenance: ReleaseProvenance | undefined,
) {
  const { sent, changed, unfiltered } = selection;
  const parts = sent.map((r) => ({ name: r.name, content: r.content }));
  if (planHasChanges(plan))
    parts.push({ name: RELEASE_INFO_RESOURCE, content: Buffer.from(releaseInfo(plan, provenance)) });
  try {
    return await client.deploy({
      name: target.deploymentName,
      source: target.deploymentSource,
      ...(target.tenantId ? { tenantId: target.tenantId } : {}),
      enableDuplicateFiltering: !unfiltered,
      deployChangedOnly: !unfiltered,
      resources: parts,
    });
  } catch (error) {
    if (error instanceof CamundaError) {
      // The files the plan expects the engine to parse are the likely culprits; list them first.
      const ordered = [...sent].sort((a, b) => Number(changed.has(b.name)) - Number(changed.has(a.name)));
      throw explainDeployFailure(error, ordered) ?? error;
    }
    throw error;
  }
}
