/**
 * The semantic diff of two versions of one DMN model: decisions, input data and knowledge sources
 * added, removed or changed (history time to live, version tag, requirements, literal expressions),
 * each decision table compared rule by rule, and the diagram (DRD) compared apart as layout.
 */
import type { ModdleElement } from "#core/lint/parse.js";
import { compareProperties } from "./compare.js";
import { elementLabel, elementTypeLabel, quote } from "./describe.js";
import { diffTable, singleTableView } from "./dmn-table.js";
import { type FlattenOptions, flattenElement, type PropertyMap } from "./flatten.js";
import { collectLayout } from "./layout.js";
import { compareMetadata } from "./metadata.js";
import type { Change, TableView } from "./types.js";

interface DrgRecord {
  id: string;
  typeLabel: string;
  name: string | null;
  element: ModdleElement;
  properties: PropertyMap;
  table: ModdleElement | null;
}

const DMN_FLATTEN: FlattenOptions = {
  isOwnElement: (element) =>
    element.$instanceOf?.("dmn:DRGElement") ||
    element.$instanceOf?.("dmn:Artifact") ||
    element.$type === "dmn:DecisionTable" ||
    /^(dmndi|di|dc):/.test(element.$type),
  skip: new Set([
    "dmn:exporter",
    "dmn:exporterVersion",
    "dmn:dmnDI",
    "biodi:width",
    "biodi:annotationsWidth",
  ]),
  ownPrefix: "dmn",
};

function collect(definitions: ModdleElement): Map<string, DrgRecord> {
  const records = new Map<string, DrgRecord>();
  const elements: ModdleElement[] = [...(definitions.drgElement ?? []), ...(definitions.artifact ?? [])];
  for (const element of elements) {
    if (typeof element.id !== "string") continue;
    const logic = element.decisionLogic;
    records.set(element.id, {
      id: element.id,
      typeLabel: elementTypeLabel(element),
      name: typeof element.name === "string" && element.name.trim() ? element.name.trim() : null,
      element,
      properties: flattenElement(element, DMN_FLATTEN),
      table: logic?.$type === "dmn:DecisionTable" ? logic : null,
    });
  }
  return records;
}

function base(record: DrgRecord): Pick<Change, "elementType" | "elementName" | "container"> {
  return { elementType: record.typeLabel, elementName: record.name, container: record.id };
}

export interface DmnDiff {
  changes: Change[];
  tables: TableView[];
}

export function diffDmn(beforeRoot: ModdleElement, afterRoot: ModdleElement): DmnDiff {
  const before = collect(beforeRoot);
  const after = collect(afterRoot);
  const layoutBefore = collectLayout(beforeRoot);
  const layoutAfter = collectLayout(afterRoot);
  const semantic: Change[] = [];
  const layout: Change[] = [];
  const tables: TableView[] = [];

  for (const record of after.values()) {
    const previous = before.get(record.id);
    const label = elementLabel(record.typeLabel, record.id, record.name);
    if (!previous) {
      semantic.push({
        elementId: record.id,
        type: "added",
        property: null,
        before: null,
        after: record.name,
        migrationRelevant: false,
        message: `added ${label}`,
        ...base(record),
      });
      if (record.table) tables.push(singleTableView(record, record.table, "added"));
      continue;
    }
    const own: Change[] = compareProperties(previous.properties, record.properties).map((p) => ({
      elementId: record.id,
      type: "changed",
      property: p.property,
      before: p.before,
      after: p.after,
      migrationRelevant: false,
      message: `${label}: ${p.property} ${quote(p.before)} → ${quote(p.after)}`,
      ...base(record),
    }));
    if (previous.table && record.table) {
      const table = diffTable(record, previous.table, record.table);
      own.push(...table.changes.filter((c) => c.type !== "layout"));
      layout.push(...table.changes.filter((c) => c.type === "layout"));
      tables.push(table.view);
    } else if (previous.table || record.table) {
      own.push({
        elementId: record.id,
        type: "changed",
        property: "decision logic",
        before: previous.table ? "decision table" : "literal expression",
        after: record.table ? "decision table" : "literal expression",
        migrationRelevant: false,
        message: `${label}: decision logic changed from ${previous.table ? "a decision table" : "a literal expression"} to ${record.table ? "a decision table" : "a literal expression"}`,
        ...base(record),
      });
      if (record.table) tables.push(singleTableView(record, record.table, "added"));
    }
    semantic.push(...own);
    if (own.length > 0) continue;
    const a = layoutBefore.get(record.id);
    const b = layoutAfter.get(record.id);
    if (!a || !b) continue;
    for (const key of new Set([...a.properties.keys(), ...b.properties.keys()])) {
      const from = a.properties.get(key) ?? null;
      const to = b.properties.get(key) ?? null;
      if (from === to) continue;
      layout.push({
        elementId: record.id,
        type: "layout",
        property: key,
        before: from,
        after: to,
        migrationRelevant: false,
        message: `${label}: ${key} ${from ?? "(none)"} → ${to ?? "(none)"} (diagram only)`,
        ...base(record),
      });
    }
  }
  for (const record of before.values()) {
    if (after.has(record.id)) continue;
    semantic.push({
      elementId: record.id,
      type: "removed",
      property: null,
      before: record.name,
      after: null,
      migrationRelevant: false,
      message: `removed ${elementLabel(record.typeLabel, record.id, record.name)}`,
      ...base(record),
    });
    if (record.table) tables.push(singleTableView(record, record.table, "removed"));
  }
  return { changes: [...semantic, ...layout, ...compareMetadata(beforeRoot, afterRoot)], tables };
}

/** Every decision and input of a model as "added" (a new file) or "removed" (a deleted file). */
export function listDmn(root: ModdleElement, type: "added" | "removed"): DmnDiff {
  const changes: Change[] = [];
  const tables: TableView[] = [];
  for (const record of collect(root).values()) {
    changes.push({
      elementId: record.id,
      type,
      property: null,
      before: type === "removed" ? record.name : null,
      after: type === "added" ? record.name : null,
      migrationRelevant: false,
      message: `${type} ${elementLabel(record.typeLabel, record.id, record.name)}`,
      ...base(record),
    });
    if (record.table) tables.push(singleTableView(record, record.table, type));
  }
  return { changes, tables };
}
