/**
 * Compares two flat property maps of one element and says what changed, grouped the way a reviewer
 * thinks: a listener, a multi-instance marker or a timer that appears or disappears as a whole is one
 * change ("camunda:executionListener[start] added: class com.example.Audit"), not one per attribute.
 */
import type { PropertyMap } from "./flatten.js";

export interface PropertyChange {
  property: string;
  before: string | null;
  after: string | null;
  /** True when the whole construct under `property` exists on one side only. */
  whole: boolean;
}

/** The first path segment, brackets respected: `camunda:inputParameter[a.b].x` → `camunda:inputParameter[a.b]`. */
export function firstSegment(path: string): string {
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "." && depth === 0) return path.slice(0, i);
  }
  return path;
}

function under(map: PropertyMap, segment: string): Array<[string, string]> {
  return [...map].filter(([key]) => key === segment || key.startsWith(`${segment}.`));
}

/** `class com.example.Audit, camunda:script.scriptFormat groovy` from the leaves under one segment. */
function summarize(entries: Array<[string, string]>, segment: string): string {
  return entries
    .map(([key, value]) => (key === segment ? value : `${key.slice(segment.length + 1)} ${value}`))
    .join(", ");
}

export function compareProperties(before: PropertyMap, after: PropertyMap): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const done = new Set<string>();
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  for (const key of keys) {
    const a = before.get(key) ?? null;
    const b = after.get(key) ?? null;
    if (a === b || done.has(key)) continue;
    const segment = firstSegment(key);
    const beforeGroup = under(before, segment);
    const afterGroup = under(after, segment);
    const wholeSide = beforeGroup.length === 0 || afterGroup.length === 0;
    if (wholeSide && segment !== key) {
      for (const [k] of [...beforeGroup, ...afterGroup]) done.add(k);
      changes.push({
        property: segment,
        before: beforeGroup.length > 0 ? summarize(beforeGroup, segment) : null,
        after: afterGroup.length > 0 ? summarize(afterGroup, segment) : null,
        whole: true,
      });
      continue;
    }
    done.add(key);
    changes.push({ property: key, before: a, after: b, whole: wholeSide });
  }
  return changes;
}
