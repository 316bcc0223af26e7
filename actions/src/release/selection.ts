/**
 * Step 3a of a release: which files one deployment sends, and whether the engine's duplicate filter
 * may decide or the plan must.
 */
import type { Plan, ReleaseTarget } from "./plan.js";
import type { ReleaseSource, Resource } from "./source.js";

/** What one deployment sends, and how. */
export interface ResourceSelection {
  /** Every file of the release, by resource name. */
  byName: Map<string, Resource>;
  /** The release's files in plan order. */
  deployable: Resource[];
  /** The files sent to the engine. */
  sent: Resource[];
  /** Names of the new and changed files. */
  changed: Set<string>;
  /** The engine's duplicate filter cannot be trusted (see selectResources): the plan decides. */
  unfiltered: boolean;
  title(target: ReleaseTarget): string;
}

/**
 * Step 3a: which files to send. Versions deployed outside the releases are invisible to the engine's
 * duplicate filter (it only compares with deployments of this name and source), so it could skip a
 * file that differs from the engine's latest version. A process and the forms bound to its deployment
 * must land in one deployment even when only one of them changed, which the filter would undo. In
 * both cases the plan decides instead: the new and changed files with their bound forms, unfiltered.
 */
export function selectResources(plan: Plan, source: ReleaseSource): ResourceSelection {
  const byName = new Map(source.resources.map((r) => [r.name, r]));
  const deployable = plan.resources
    .map((r) => byName.get(r.name))
    .filter((r): r is Resource => r !== undefined);
  const changed = new Set(plan.resources.filter((r) => r.status !== "unchanged").map((r) => r.name));
  const withForms = plan.resources.filter((r) => changed.has(r.name) && (r.forms?.length ?? 0) > 0);
  const boundForms = new Set(withForms.flatMap((r) => r.forms ?? []));
  const outside = plan.resources.some((r) => r.outsideRelease !== null);
  const unfiltered = outside || withForms.length > 0;
  const sent = unfiltered
    ? deployable.filter((r) => changed.has(r.name) || boundForms.has(r.name))
    : deployable;
  const why = outside
    ? "some latest versions were deployed outside the releases"
    : "processes with the forms bound to their deployment";
  return {
    byName,
    deployable,
    sent,
    changed,
    unfiltered,
    title: (target) =>
      unfiltered
        ? `Deploying the ${sent.length} new or changed resource(s) to ${target.environment} (${why})`
        : `Deploying ${sent.length} resource(s) to ${target.environment}`,
  };
}

/** Unchanged files that an unfiltered deployment sent along (forms bound to a changed process). */
export function redeployedUnchanged(selection: ResourceSelection): Set<string> {
  if (!selection.unfiltered) return new Set();
  return new Set(selection.sent.filter((r) => !selection.changed.has(r.name)).map((r) => r.name));
}
