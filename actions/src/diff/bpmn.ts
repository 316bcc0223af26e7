/**
 * The semantic diff of two versions of one BPMN model: elements added, removed and changed (every
 * property, Camunda extensions included, as before → after), probable renames, elements whose only
 * change is their diagram, and the changes that matter to running instances (migration-relevant).
 */
import type { ModdleElement } from "#core/lint/parse.js";
import { canHoldInstances, collectElements, type ElementRecord } from "./bpmn-elements.js";
import { compareProperties, firstSegment, type PropertyChange } from "./compare.js";
import { elementLabel, propertyLabel, quote } from "./describe.js";
import { collectLayout, type ElementLayout } from "./layout.js";
import { compareMetadata } from "./metadata.js";
import { findRenames, type Rename } from "./renames.js";
import type { Change } from "./types.js";

/** Properties whose change alters where or how running instances wait: a migration plan must cover them. */
const ASYNC_PROPERTIES = new Set([
  "camunda:asyncBefore",
  "camunda:asyncAfter",
  "camunda:async",
  "multiInstance.camunda:asyncBefore",
  "multiInstance.camunda:asyncAfter",
]);

function base(record: ElementRecord): Pick<Change, "elementType" | "elementName" | "container"> {
  return { elementType: record.typeLabel, elementName: record.name, container: record.process };
}

function label(record: ElementRecord): string {
  return elementLabel(record.typeLabel, record.id, record.name);
}

function isMigrationRelevant(change: PropertyChange, record: ElementRecord, other: ElementRecord): boolean {
  const holds = canHoldInstances(record.element) || canHoldInstances(other.element);
  if (ASYNC_PROPERTIES.has(change.property)) return true;
  if (!holds) return false;
  const segment = firstSegment(change.property);
  if (change.property === "scope" || change.property === "attachedToRef") return true;
  // Multi-instance added or removed changes the activity's instance tree.
  if ((segment === "multiInstance" || segment === "loop") && change.whole) return true;
  // A catch event that waits for something else (timer → message) keeps no subscription across versions.
  return /EventDefinition$/.test(segment) && change.whole;
}

function migrationNote(change: PropertyChange): string {
  if (change.property === "scope") return ": running instances in it need a migration mapping";
  if (ASYNC_PROPERTIES.has(change.property)) return ": changes where jobs wait; check running instances";
  if (firstSegment(change.property) === "multiInstance" || firstSegment(change.property) === "loop")
    return ": the instance tree changes; running instances need a migration plan";
  return ": running instances need a migration mapping";
}

function propertyChanges(before: ElementRecord, after: ElementRecord, rename: Rename | undefined): Change[] {
  const changes: Change[] = [];
  if (rename) {
    changes.push({
      elementId: after.id,
      type: "changed",
      property: "id",
      before: rename.from,
      after: rename.to,
      migrationRelevant: canHoldInstances(before.element),
      message: `${label(after)} is probably ${rename.from} renamed (same ${rename.evidence.join(", ")})${
        canHoldInstances(before.element)
          ? `: instances waiting in ${rename.from} are not moved to ${rename.to} without a migration mapping`
          : ""
      }`,
      ...base(after),
      previousId: rename.from,
    });
  }
  if (before.type !== after.type) {
    const relevant = canHoldInstances(before.element) || canHoldInstances(after.element);
    changes.push({
      elementId: after.id,
      type: "changed",
      property: "type",
      before: before.typeLabel,
      after: after.typeLabel,
      migrationRelevant: relevant,
      message: `${after.id}${after.name ? ` "${after.name}"` : ""} changed from ${before.typeLabel} to ${after.typeLabel}${
        relevant ? ": running instances cannot be migrated across a type change without a plan" : ""
      }`,
      ...base(after),
    });
  }
  for (const change of compareProperties(before.properties, after.properties)) {
    const relevant = isMigrationRelevant(change, before, after);
    const what = propertyLabel(change.property);
    const text =
      change.before === null
        ? `${what} added: ${quote(change.after)}`
        : change.after === null
          ? `${what} removed (was ${quote(change.before)})`
          : `${what} ${quote(change.before)} → ${quote(change.after)}`;
    changes.push({
      elementId: after.id,
      type: "changed",
      property: change.property,
      before: change.before,
      after: change.after,
      migrationRelevant: relevant,
      message: `${label(after)}: ${text}${relevant ? migrationNote(change) : ""}`,
      ...base(after),
    });
  }
  return changes;
}

function layoutChanges(
  record: ElementRecord,
  before: ElementLayout | undefined,
  after: ElementLayout | undefined,
): Change[] {
  if (!before || !after) return [];
  const changes: Change[] = [];
  for (const key of new Set([...before.properties.keys(), ...after.properties.keys()])) {
    const a = before.properties.get(key) ?? null;
    const b = after.properties.get(key) ?? null;
    if (a === b) continue;
    changes.push({
      elementId: record.id,
      type: "layout",
      property: key,
      before: a,
      after: b,
      migrationRelevant: false,
      message: `${label(record)}: ${key} ${a ?? "(none)"} → ${b ?? "(none)"} (diagram only)`,
      ...base(record),
    });
  }
  return changes;
}

/** Before-side references to renamed elements read as the new ids, so a renamed task's flows show no change. */
function translateReferences(record: ElementRecord, mapping: Map<string, string>): ElementRecord {
  if (mapping.size === 0) return record;
  const properties = new Map<string, string>();
  for (const [key, value] of record.properties) {
    properties.set(
      key,
      value
        .split(", ")
        .map((part) => mapping.get(part) ?? part)
        .join(", "),
    );
  }
  return { ...record, properties };
}

export function diffBpmn(beforeRoot: ModdleElement, afterRoot: ModdleElement): Change[] {
  const before = collectElements(beforeRoot);
  const after = collectElements(afterRoot);
  const layoutBefore = collectLayout(beforeRoot);
  const layoutAfter = collectLayout(afterRoot);
  const removed = [...before.values()].filter((r) => !after.has(r.id));
  const added = [...after.values()].filter((r) => !before.has(r.id));
  const renames = findRenames(
    removed,
    added,
    before,
    after,
    (id) => layoutBefore.get(id)?.bounds ?? null,
    (id) => layoutAfter.get(id)?.bounds ?? null,
  );
  const renamedTo = new Map(renames.map((r) => [r.to, r]));
  const renamedFrom = new Set(renames.map((r) => r.from));
  const mapping = new Map(renames.map((r) => [r.from, r.to]));

  const semantic: Change[] = [];
  const layout: Change[] = [];
  for (const record of after.values()) {
    const rename = renamedTo.get(record.id);
    const previous = before.get(rename?.from ?? record.id);
    if (!previous) {
      semantic.push({
        elementId: record.id,
        type: "added",
        property: null,
        before: null,
        after: record.name,
        migrationRelevant: false,
        message: `added ${label(record)}`,
        ...base(record),
      });
      continue;
    }
    const changes = propertyChanges(translateReferences(previous, mapping), record, rename);
    if (changes.length > 0) semantic.push(...changes);
    else layout.push(...layoutChanges(record, layoutBefore.get(previous.id), layoutAfter.get(record.id)));
  }
  for (const record of removed) {
    if (renamedFrom.has(record.id)) continue;
    const relevant = canHoldInstances(record.element);
    semantic.push({
      elementId: record.id,
      type: "removed",
      property: null,
      before: record.name,
      after: null,
      migrationRelevant: relevant,
      message: `removed ${label(record)}${relevant ? ": instances waiting in it cannot continue on the new version without a migration plan" : ""}`,
      ...base(record),
    });
  }
  return [...semantic, ...layout, ...compareMetadata(beforeRoot, afterRoot)];
}

/** Every element of a model as "added" (a new file) or "removed" (a deleted file). */
export function listBpmn(root: ModdleElement, type: "added" | "removed"): Change[] {
  const changes: Change[] = [];
  for (const record of collectElements(root).values()) {
    // The engine keeps a deleted file's definitions: its running instances go on, none can be migrated here.
    const relevant = type === "removed" && record.type === "bpmn:Process";
    changes.push({
      elementId: record.id,
      type,
      property: null,
      before: type === "removed" ? record.name : null,
      after: type === "added" ? record.name : null,
      migrationRelevant: relevant,
      message: `${type} ${label(record)}${relevant ? ": its running instances stay on the deployed version, with no newer version to migrate to" : ""}`,
      ...base(record),
    });
  }
  return changes;
}
