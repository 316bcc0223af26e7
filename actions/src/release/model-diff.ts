/**
 * A short semantic summary of how a BPMN/DMN file differs from the version the engine has: which
 * elements (by id) were added, removed or changed, and which of their properties changed. It is the
 * review's diff (`#core/diff`) folded into one line per plan row, so the plan and the pull request
 * review never disagree about what changed.
 */
import { diffModel } from "#core/diff/model.js";
import type { ModelKind } from "./source.js";

export interface ElementChange {
  id: string;
  /** The element's type as a modeler names it ("user task", "rule"). */
  type: string;
  name: string | null;
  /** Properties that differ (changed elements only). */
  properties?: string[];
}

export interface ModelDiff {
  added: ElementChange[];
  removed: ElementChange[];
  changed: ElementChange[];
  /** True when the files differ but only in the diagram (DI), formatting or the saving tool's metadata. */
  layoutOnly: boolean;
}

/** Compares two versions of one model. Throws when either side cannot be parsed. */
export async function diffModels(kind: ModelKind, before: string, after: string): Promise<ModelDiff> {
  const file = await diffModel({ file: "model", kind, before, after });
  if (file.problem) throw new Error(file.problem);
  const diff: ModelDiff = { added: [], removed: [], changed: [], layoutOnly: file.layoutOnly };
  const changed = new Map<string, ElementChange>();
  for (const change of file.changes) {
    const element = {
      id: change.elementId,
      type: change.elementType ?? "",
      name: change.elementName ?? null,
    };
    if (change.type === "added") diff.added.push(element);
    else if (change.type === "removed") diff.removed.push(element);
    else if (change.type === "changed") {
      const entry = changed.get(change.elementId) ?? { ...element, properties: [] };
      if (change.property && !entry.properties!.includes(change.property))
        entry.properties!.push(change.property);
      changed.set(change.elementId, entry);
    }
  }
  diff.changed = [...changed.values()];
  return diff;
}

function label(change: ElementChange): string {
  return change.name ? `${change.id} "${change.name}"` : change.id;
}

function list(items: string[], max: number): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

/** One line a reviewer can read in a table cell, e.g. `+1 Task_Fraud "Check fraud"; ~1 Flow_Green (conditionExpression)`. */
export function summarizeDiff(diff: ModelDiff, max = 4): string {
  if (diff.layoutOnly) return "no executable change (diagram layout, formatting or modeler metadata)";
  const parts: string[] = [];
  if (diff.added.length) parts.push(`added ${list(diff.added.map(label), max)}`);
  if (diff.removed.length) parts.push(`removed ${list(diff.removed.map(label), max)}`);
  if (diff.changed.length) {
    parts.push(
      `changed ${list(
        diff.changed.map((c) => `${label(c)} (${(c.properties ?? []).join(", ")})`),
        max,
      )}`,
    );
  }
  return parts.length ? parts.join("; ") : "no difference";
}
