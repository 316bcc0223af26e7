/**
 * Which unreviewed files a release may deploy, decided once for the CLI and the action: a ref off the
 * main branch only where the environment file allows it and the caller asks for it, and a working tree
 * with uncommitted models only for the local engine or when the caller asks for it.
 */

import { UsageError, UserError } from "#core/util/errors.js";
import type { Connection } from "./connect.js";
import type { Plan, ReleaseTarget } from "./plan.js";
import type { ReleaseSource } from "./source.js";

/** The one environment whose engine runs on the developer's machine; its releases may be dirty. */
export const LOCAL_ENVIRONMENT = "local";

export interface IntegrityOptions {
  /** --allow-unmerged / input allow-unmerged. */
  allowUnmerged: boolean;
  /** --allow-dirty (the CLI only; a CI checkout is never dirty). */
  allowDirty: boolean;
}

export interface IntegrityDecision {
  allowUnmerged: boolean;
  allowDirty: boolean;
}

/** Refuses --allow-unmerged where the environment file does not set camunda.allowUnmergedRefs. */
export function releaseIntegrity(connection: Connection, options: IntegrityOptions): IntegrityDecision {
  const environment = connection.target.environment;
  if (options.allowUnmerged && !connection.environment.config.camunda.allowUnmergedRefs) {
    throw new UsageError(
      `--allow-unmerged is not allowed for "${environment}": its file does not set camunda.allowUnmergedRefs: true (meant for dev, never prod); release a commit of the main branch.`,
    );
  }
  return {
    allowUnmerged: options.allowUnmerged,
    allowDirty: options.allowDirty || environment === LOCAL_ENVIRONMENT,
  };
}

/** Before anything else: a release that must deploy an approved plan cannot start without its digest. */
export function requireApprovedPlan(
  options: { dryRun?: boolean; requirePlanDigest?: boolean; expectedPlanDigest?: string | undefined },
  environment: string,
): void {
  if (!options.dryRun && options.requirePlanDigest && !options.expectedPlanDigest) {
    throw new UsageError(
      `the release to ${environment} has no expected plan digest: it deploys only the plan its reviewers approved; pass the plan's digest (the plan job's plan-digest output, or \`plan --format json\`).`,
    );
  }
}

/** A deploying release of the working tree refuses uncommitted models unless allowed. */
export function requireCommitted(source: ReleaseSource, allowDirty: boolean, environment: string): void {
  if (source.dirty && !allowDirty) {
    throw new UserError(
      `${source.processesPath}/ has uncommitted changes, and a release to ${environment} deploys only committed files; commit or stash them (git status ${source.processesPath}), or pass --allow-dirty.`,
    );
  }
}

/** Step 2b: people approved one plan; refuse to deploy a different one. */
export function checkApprovedPlan(
  plan: Plan,
  approvedDigest: string | undefined,
  target: ReleaseTarget,
): void {
  if (approvedDigest && approvedDigest !== plan.digest) {
    throw new UserError(
      `the plan for ${target.environment} changed since it was approved (digest ${approvedDigest}, now ${plan.digest}): the engine or the files moved in between; run the release again and review the new plan.`,
    );
  }
}
