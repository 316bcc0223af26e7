/**
 * Two versions of one decision table compared the way an underwriting manager reads it: the hit
 * policy, the columns, and rule by rule (by rule id) each entry that changed, as "Rule_London,
 * Premium factor: 1.25 → 1.3". Rules that moved are reported too; under FIRST and RULE ORDER the
 * order decides the result, under the other hit policies it changes nothing.
 */
import type { ModdleElement } from "#core/lint/parse.js";
import { compareProperties } from "./compare.js";
import { quote } from "./describe.js";
import { type FlattenOptions, flattenElement } from "./flatten.js";
import type { Change, TableRowView, TableView } from "./types.js";

interface Column {
  id: string;
  kind: "input" | "output" | "annotation";
  label: string;
  element: ModdleElement | null;
}

interface Rule {
  id: string;
  row: number;
  /** Column id → entry text ("-" for an empty input entry, which matches anything). */
  entries: Map<string, string>;
}

interface Table {
  hitPolicy: string;
  columns: Column[];
  rules: Rule[];
}

const CLAUSE_FLATTEN: FlattenOptions = {
  isOwnElement: () => false,
  skip: new Set(["biodi:width"]),
  ownPrefix: "dmn",
};

const ORDERED_POLICIES = new Set(["FIRST", "RULE ORDER"]);

function text(value: ModdleElement): string {
  return typeof value?.text === "string" ? value.text.trim() : "";
}

function readTable(table: ModdleElement): Table {
  const inputs: ModdleElement[] = table.input ?? [];
  const outputs: ModdleElement[] = table.output ?? [];
  const annotations: ModdleElement[] = table.annotation ?? [];
  const columns: Column[] = [
    ...inputs.map((input, i) => ({
      id: String(input.id ?? `input${i + 1}`),
      kind: "input" as const,
      label: String(input.label || text(input.inputExpression) || input.id || `Input ${i + 1}`),
      element: input,
    })),
    ...outputs.map((output, i) => ({
      id: String(output.id ?? `output${i + 1}`),
      kind: "output" as const,
      label: String(output.label || output.name || output.id || `Output ${i + 1}`),
      element: output,
    })),
    // DMN 1.3 annotation columns have names but no ids; Camunda Modeler writes the annotation as the rule's description.
    ...annotations.map((annotation, i) => ({
      id: `annotation:${annotation.name ?? i}`,
      kind: "annotation" as const,
      label: String(annotation.name || `Annotation ${i + 1}`),
      element: annotation,
    })),
    { id: "description", kind: "annotation" as const, label: "Annotation", element: null },
  ];
  const rules = ((table.rule ?? []) as ModdleElement[]).map((rule, index) => {
    const entries = new Map<string, string>();
    (rule.inputEntry ?? []).forEach((entry: ModdleElement, i: number) => {
      const column = columns[i];
      if (column) entries.set(column.id, text(entry) || "-");
    });
    (rule.outputEntry ?? []).forEach((entry: ModdleElement, i: number) => {
      const column = columns[inputs.length + i];
      if (column) entries.set(column.id, text(entry));
    });
    (rule.annotationEntry ?? []).forEach((entry: ModdleElement, i: number) => {
      const column = columns[inputs.length + outputs.length + i];
      if (column) entries.set(column.id, text(entry));
    });
    const description = typeof rule.description === "string" ? rule.description.trim() : "";
    if (description) entries.set("description", description);
    return { id: String(rule.id ?? `row${index + 1}`), row: index + 1, entries };
  });
  const policy = String(table.hitPolicy ?? "UNIQUE");
  return {
    hitPolicy: table.aggregation ? `${policy} ${table.aggregation}` : policy,
    columns,
    rules,
  };
}

/** Indices (into `sequence`) of a longest increasing subsequence: the rules that kept their relative order. */
function longestIncreasing(sequence: number[]): Set<number> {
  const tails: number[] = [];
  const previous: number[] = new Array(sequence.length).fill(-1);
  for (let i = 0; i < sequence.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sequence[tails[mid]!] ?? 0) < (sequence[i] ?? 0)) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const kept = new Set<number>();
  for (let i = tails[tails.length - 1] ?? -1; i !== -1; i = previous[i]!) kept.add(i);
  return kept;
}

function summary(rule: Rule, table: Table): string {
  const part = (kind: Column["kind"]) =>
    table.columns
      .filter((c) => c.kind === kind && rule.entries.has(c.id))
      .map((c) => `${c.label} ${rule.entries.get(c.id)}`)
      .join(", ");
  const when = part("input");
  return `${when ? `when ${when}` : "always"} → ${part("output") || "(no output)"}`;
}

export interface TableDiff {
  changes: Change[];
  view: TableView;
}

export function diffTable(
  decision: { id: string; name: string | null },
  beforeTable: ModdleElement,
  afterTable: ModdleElement,
): TableDiff {
  const a = readTable(beforeTable);
  const b = readTable(afterTable);
  const changes: Change[] = [];
  const where = `decision ${decision.id}${decision.name ? ` "${decision.name}"` : ""}`;
  const orderMatters = ORDERED_POLICIES.has(b.hitPolicy) || ORDERED_POLICIES.has(a.hitPolicy);
  const push = (change: Omit<Change, "migrationRelevant" | "container">) =>
    changes.push({ migrationRelevant: false, container: decision.id, ...change });

  if (a.hitPolicy !== b.hitPolicy) {
    push({
      elementId: decision.id,
      type: "changed",
      property: "hit policy",
      before: a.hitPolicy,
      after: b.hitPolicy,
      message: `${where}: hit policy ${a.hitPolicy} → ${b.hitPolicy}${
        ORDERED_POLICIES.has(b.hitPolicy) ? " (now the rule order decides which rule applies)" : ""
      }`,
      elementType: "decision",
      elementName: decision.name,
    });
  }

  const columnsBefore = new Map(a.columns.map((c) => [c.id, c]));
  const columnsAfter = new Map(b.columns.map((c) => [c.id, c]));
  const columnStatus = new Map<string, TableView["columns"][number]["status"]>();
  for (const column of [...a.columns, ...b.columns]) {
    const old = columnsBefore.get(column.id);
    const next = columnsAfter.get(column.id);
    if (columnStatus.has(column.id) || column.id === "description") continue;
    const type = `${column.kind} column`;
    if (!old || !next) {
      const status = old ? "removed" : "added";
      columnStatus.set(column.id, status);
      push({
        elementId: column.id,
        type: status,
        property: null,
        before: old ? old.label : null,
        after: next ? next.label : null,
        message: `${where}: ${type} "${column.label}" ${status}`,
        elementType: type,
        elementName: column.label,
      });
      continue;
    }
    const properties = compareProperties(
      old.element ? flattenElement(old.element, CLAUSE_FLATTEN) : new Map(),
      next.element ? flattenElement(next.element, CLAUSE_FLATTEN) : new Map(),
    );
    columnStatus.set(column.id, properties.length > 0 ? "changed" : "same");
    for (const p of properties) {
      push({
        elementId: column.id,
        type: "changed",
        property: `${column.kind} "${next.label}" ${p.property}`,
        before: p.before,
        after: p.after,
        message: `${where}: ${type} "${next.label}" ${p.property} ${quote(p.before)} → ${quote(p.after)}`,
        elementType: type,
        elementName: next.label,
      });
    }
  }

  const rulesBefore = new Map(a.rules.map((r) => [r.id, r]));
  const rulesAfter = new Map(b.rules.map((r) => [r.id, r]));
  for (const rule of b.rules) {
    const old = rulesBefore.get(rule.id);
    if (!old) {
      push({
        elementId: rule.id,
        type: "added",
        property: null,
        before: null,
        after: summary(rule, b),
        message: `${where}: rule ${rule.id} added as row ${rule.row}: ${summary(rule, b)}`,
        elementType: "rule",
        elementName: null,
      });
      continue;
    }
    for (const column of b.columns) {
      const before = columnsBefore.has(column.id) ? (old.entries.get(column.id) ?? null) : null;
      const after = rule.entries.get(column.id) ?? null;
      // A new column's empty entries ("-", matches anything) say nothing; filled ones are the change.
      if (before === after || (before === null && (after === "-" || after === ""))) continue;
      push({
        elementId: rule.id,
        type: "changed",
        property: column.label,
        before,
        after,
        message: `${where}: rule ${rule.id} (row ${rule.row}), ${column.label}: ${before ?? "(new column)"} → ${after ?? "(empty)"}`,
        elementType: "rule",
        elementName: null,
      });
    }
  }
  for (const rule of a.rules) {
    if (rulesAfter.has(rule.id)) continue;
    push({
      elementId: rule.id,
      type: "removed",
      property: null,
      before: summary(rule, a),
      after: null,
      message: `${where}: rule ${rule.id} (row ${rule.row}) removed: ${summary(rule, a)}`,
      elementType: "rule",
      elementName: null,
    });
  }

  // Reordering: rules outside a longest run that kept its relative order are the ones that moved.
  const common = b.rules.filter((r) => rulesBefore.has(r.id));
  const kept = longestIncreasing(common.map((r) => rulesBefore.get(r.id)!.row));
  const moved = new Set<string>();
  common.forEach((rule, i) => {
    if (kept.has(i)) return;
    moved.add(rule.id);
    const from = rulesBefore.get(rule.id)!.row;
    push({
      elementId: rule.id,
      type: orderMatters ? "changed" : "layout",
      property: "position",
      before: String(from),
      after: String(rule.row),
      message: orderMatters
        ? `${where}: rule ${rule.id} moved from row ${from} to row ${rule.row}; with hit policy ${b.hitPolicy} the first matching rule wins, so the order is business logic`
        : `${where}: rule ${rule.id} moved from row ${from} to row ${rule.row}; hit policy ${b.hitPolicy} ignores the order`,
      elementType: "rule",
      elementName: null,
    });
  });

  return {
    changes,
    view: tableView(decision, a, b, columnStatus, moved, changes, orderMatters),
  };
}

function tableView(
  decision: { id: string; name: string | null },
  a: Table,
  b: Table,
  columnStatus: Map<string, TableView["columns"][number]["status"]>,
  moved: Set<string>,
  changes: Change[],
  orderMatters: boolean,
): TableView {
  const afterIds = new Set(b.columns.map((c) => c.id));
  const removedColumns = a.columns.filter((c) => !afterIds.has(c.id));
  // The annotation column is shown only when some rule on either side has one.
  const described = [...a.rules, ...b.rules].some((r) => r.entries.has("description"));
  const columns = [...b.columns, ...removedColumns].filter((c) => c.id !== "description" || described);
  const changedRules = new Set(changes.filter((c) => c.type === "changed").map((c) => c.elementId));
  const before = new Map(a.rules.map((r) => [r.id, r]));
  const afterRules = new Set(b.rules.map((r) => r.id));
  const cells = (old: Rule | undefined, next: Rule | undefined) =>
    columns.map((c) => ({ before: old?.entries.get(c.id) ?? null, after: next?.entries.get(c.id) ?? null }));
  const rows: TableRowView[] = b.rules.map((rule) => {
    const old = before.get(rule.id);
    const status: TableRowView["status"] = !old
      ? "added"
      : moved.has(rule.id)
        ? "moved"
        : changedRules.has(rule.id)
          ? "changed"
          : "same";
    return { id: rule.id, status, before: old?.row ?? null, after: rule.row, cells: cells(old, rule) };
  });
  // A removed rule is shown where it used to be: after the row that preceded it before.
  for (const rule of a.rules) {
    if (afterRules.has(rule.id)) continue;
    const row: TableRowView = {
      id: rule.id,
      status: "removed",
      before: rule.row,
      after: null,
      cells: cells(rule, undefined),
    };
    const at = rows.findIndex((r) => r.before !== null && r.before > rule.row);
    rows.splice(at === -1 ? rows.length : at, 0, row);
  }
  return {
    decisionId: decision.id,
    decisionName: decision.name,
    hitPolicy: { before: a.hitPolicy, after: b.hitPolicy },
    columns: columns.map((c) => ({
      id: c.id,
      kind: c.kind,
      label: c.label,
      status: columnStatus.get(c.id) ?? "same",
    })),
    rows,
    orderMatters,
  };
}

/** A table on one side only (a decision added or removed): every rule as one row. */
export function singleTableView(
  decision: { id: string; name: string | null },
  table: ModdleElement,
  side: "added" | "removed",
): TableView {
  const t = readTable(table);
  const visible = t.columns.filter((c) => c.id !== "description" || t.rules.some((r) => r.entries.has(c.id)));
  return {
    decisionId: decision.id,
    decisionName: decision.name,
    hitPolicy: {
      before: side === "removed" ? t.hitPolicy : null,
      after: side === "added" ? t.hitPolicy : null,
    },
    columns: visible.map((c) => ({ id: c.id, kind: c.kind, label: c.label, status: side })),
    rows: t.rules.map((rule) => ({
      id: rule.id,
      status: side,
      before: side === "removed" ? rule.row : null,
      after: side === "added" ? rule.row : null,
      cells: visible.map((c) => {
        const value = rule.entries.get(c.id) ?? null;
        return side === "added" ? { before: null, after: value } : { before: value, after: null };
      }),
    })),
    orderMatters: ORDERED_POLICIES.has(t.hitPolicy),
  };
}
