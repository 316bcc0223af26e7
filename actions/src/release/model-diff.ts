/**
 * A short semantic summary of how a BPMN/DMN file differs from the version the engine has: which
 * elements (by id) were added, removed or changed, and which of their properties changed. Both sides
 * are parsed with the moddle packages (Camunda extensions included) and compared element by element,
 * so a re-indented file or a moved shape is reported as "layout only", not as a process change.
 */
import { parseModel } from "#core/lint/parse.js";
import type { ResourceKind } from "./source.js";

export interface ElementChange {
  id: string;
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

// biome-ignore lint/suspicious/noExplicitAny: moddle trees are dynamic
type Element = any;

interface Fingerprint {
  type: string;
  name: string | null;
  /** Property name -> canonical JSON of its value. */
  properties: Map<string, string>;
}

/** Diagram interchange: where shapes are drawn, not what the engine executes. */
const DI_PREFIXES = ["bpmndi:", "dmndi:", "di:", "dc:", "biodi:", "color:"];
/** Derived from the flows' sourceRef/targetRef; comparing them too would double-report every rewiring. */
const DERIVED = new Set(["incoming", "outgoing"]);
/** Which tool saved the file: a re-save in another Modeler version changes no behaviour. */
const TOOL_METADATA = new Set(["exporter", "exporterVersion"]);
/**
 * Elements whose id-bearing children are part of them: a DMN rule's entries, an input's expression.
 * Reporting "UnaryTests_0x3 changed" would tell a reviewer nothing; "rule R_5 changed" does.
 */
const FOLDED = new Set(["dmn:DecisionRule", "dmn:InputClause", "dmn:OutputClause"]);
/** Containment lists whose order is behaviour: a FIRST or RULE ORDER table evaluates rules top-down. */
const ORDERED = new Set(["dmn:DecisionTable.rule", "dmn:DecisionTable.input", "dmn:DecisionTable.output"]);

function isDiagram(element: Element): boolean {
  const type = typeof element?.$type === "string" ? element.$type : "";
  return DI_PREFIXES.some((prefix) => type.startsWith(prefix));
}

function canonical(value: unknown, fold: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => canonical(v, fold));
  const element = value as Element;
  if (isDiagram(element)) return undefined;
  if (typeof element.id === "string" && !fold) return `#${element.id}`;
  return ownProperties(element, fold);
}

/** The element's own properties (attributes, references as `#id`, nested id-less content). */
function ownProperties(element: Element, fold: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { $type: element.$type };
  const descriptors: Array<{ name: string; isReference?: boolean; isMany?: boolean }> =
    element.$descriptor?.properties ?? [];
  for (const descriptor of descriptors) {
    const name = descriptor.name;
    if (name === "id" || DERIVED.has(name) || TOOL_METADATA.has(name) || name.startsWith("$")) continue;
    const value = element.get ? element.get(name) : element[name];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    if (descriptor.isReference) {
      const ids = (Array.isArray(value) ? value : [value]).map((v: Element) =>
        typeof v === "object" && v ? `#${v.id ?? "?"}` : String(v),
      );
      out[name] = descriptor.isMany ? ids : ids[0];
      continue;
    }
    const childFold = fold || FOLDED.has(element.$type);
    if (Array.isArray(value)) {
      if (!childFold && ORDERED.has(`${element.$type}.${name}`)) {
        out[name] = value.map((v: Element) => `#${v?.id ?? "?"}`);
        continue;
      }
      const items = value
        .filter((v: Element) => !isDiagram(v))
        // Contained elements with their own id are compared on their own.
        .filter((v: Element) => childFold || typeof v !== "object" || v === null || typeof v.id !== "string")
        .map((v: Element) => canonical(v, childFold));
      if (items.length > 0) out[name] = items;
      continue;
    }
    if (typeof value === "object") {
      if (isDiagram(value)) continue;
      if (!childFold && typeof value.id === "string") continue;
      out[name] = canonical(value, childFold);
      continue;
    }
    out[name] = value;
  }
  const attrs = element.$attrs ?? {};
  for (const key of Object.keys(attrs).sort()) {
    // Namespace declarations move around when a modeler re-saves; they change no behaviour.
    if (key === "xmlns" || key.startsWith("xmlns:") || /^modeler:/.test(key)) continue;
    out[`@${key}`] = attrs[key];
  }
  return out;
}

function collect(root: Element): Map<string, Fingerprint> {
  const found = new Map<string, Fingerprint>();
  const visit = (element: Element, folded: boolean): void => {
    if (!element || typeof element !== "object" || isDiagram(element)) return;
    const fold = folded || FOLDED.has(element.$type);
    if (typeof element.id === "string" && !folded) {
      const properties = new Map<string, string>();
      for (const [key, value] of Object.entries(ownProperties(element, false))) {
        if (key !== "$type") properties.set(key, JSON.stringify(value));
      }
      found.set(element.id, {
        type: String(element.$type),
        name:
          typeof element.name === "string"
            ? element.name
            : typeof element.label === "string"
              ? element.label
              : null,
        properties,
      });
    }
    const descriptors: Array<{ name: string; isReference?: boolean }> = element.$descriptor?.properties ?? [];
    for (const descriptor of descriptors) {
      if (descriptor.isReference || descriptor.name.startsWith("$")) continue;
      const value = element.get ? element.get(descriptor.name) : element[descriptor.name];
      if (Array.isArray(value)) for (const child of value) visit(child, fold);
      else if (value && typeof value === "object") visit(value, fold);
    }
  };
  visit(root, false);
  return found;
}

function describe(id: string, print: Fingerprint): ElementChange {
  return { id, type: print.type.replace(/^[a-z]+:/, ""), name: print.name };
}

/** Compares two versions of one model. Throws when either side cannot be parsed. */
export async function diffModels(kind: ResourceKind, before: string, after: string): Promise<ModelDiff> {
  const [old, next] = await Promise.all([parseModel(kind, before), parseModel(kind, after)]);
  const a = collect(old.root);
  const b = collect(next.root);
  const diff: ModelDiff = { added: [], removed: [], changed: [], layoutOnly: false };
  for (const [id, print] of b) {
    const previous = a.get(id);
    if (!previous) {
      diff.added.push(describe(id, print));
      continue;
    }
    const keys = new Set([...previous.properties.keys(), ...print.properties.keys()]);
    const properties = [...keys]
      .filter((key) => previous.properties.get(key) !== print.properties.get(key))
      .sort();
    if (previous.type !== print.type) properties.unshift("type");
    if (properties.length > 0) diff.changed.push({ ...describe(id, print), properties });
  }
  for (const [id, print] of a) if (!b.has(id)) diff.removed.push(describe(id, print));
  diff.layoutOnly = diff.added.length + diff.removed.length + diff.changed.length === 0 && before !== after;
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
