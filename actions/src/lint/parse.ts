import * as bpmnModdlePackage from "bpmn-moddle";
import camundaBpmn from "camunda-bpmn-moddle/resources/camunda.json" with { type: "json" };
import camundaDmn from "camunda-dmn-moddle/resources/camunda.json" with { type: "json" };
import { DmnModdle } from "dmn-moddle";
import { ACTIVITI_NS, CAMUNDA_NS } from "./engine/xml.js";
import type { FileKind } from "./types.js";

/** A moddle element; the tree is dynamic, rules read it through small helpers. */
// biome-ignore lint/suspicious/noExplicitAny: moddle trees are untyped by nature
export type ModdleElement = any;

export interface ImportWarning {
  message: string;
  elementId: string | null;
  /** "unresolved-reference", "duplicate-id" or "invalid-content". */
  kind: "unresolved-reference" | "duplicate-id" | "invalid-content";
  reference: string | null;
  /** Position moddle gives for unparsable content (converted to 1-based), when there is one. */
  position: { line: number; column: number } | null;
}

export interface ParsedModel {
  root: ModdleElement;
  warnings: ImportWarning[];
}

export const BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL";
export const DMN13_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/";

/**
 * DMN 1.1 and 1.2 namespaces and their DMN 1.3 equivalents: dmn-moddle reads 1.3 only, and the
 * engine accepts all three. Only namespace URIs change between these versions for what the engine
 * executes, so rewriting the URIs (same lines, same ids) is enough to read older files.
 */
const DMN_MIGRATIONS: ReadonlyArray<readonly [string, string]> = [
  ["http://www.omg.org/spec/DMN/20151101/dmn.xsd", DMN13_NS],
  ["http://www.omg.org/spec/DMN/20180521/MODEL/", DMN13_NS],
  ["http://www.omg.org/spec/DMN/20180521/DMNDI/", "https://www.omg.org/spec/DMN/20191111/DMNDI/"],
];

export const DMN_NAMESPACES: readonly string[] = [DMN13_NS, ...DMN_MIGRATIONS.map(([from]) => from)].filter(
  (ns) => !ns.includes("DMNDI"),
);

type ModdleInstance = {
  fromXML(
    xml: string,
  ): Promise<{ rootElement: ModdleElement; warnings: Array<Error & { element?: ModdleElement }> }>;
};

const BpmnModdle = (bpmnModdlePackage as unknown as { BpmnModdle: new (p: object) => ModdleInstance })
  .BpmnModdle;

let bpmnModdle: ModdleInstance | undefined;
let dmnModdle: ModdleInstance | undefined;

/** Parses one model with the Camunda extensions. Throws only when moddle cannot build a tree at all. */
export async function parseModel(kind: FileKind, text: string): Promise<ParsedModel> {
  let moddle: ModdleInstance;
  let source = text;
  if (kind === "bpmn") {
    bpmnModdle ??= new BpmnModdle({ camunda: camundaBpmn });
    moddle = bpmnModdle;
    // The engine reads the legacy Activiti namespace as Camunda's; so do the rules.
    source = source.split(ACTIVITI_NS).join(CAMUNDA_NS);
  } else {
    dmnModdle ??= new DmnModdle({ camunda: camundaDmn }) as unknown as ModdleInstance;
    moddle = dmnModdle;
    for (const [from, to] of DMN_MIGRATIONS) source = source.split(from).join(to);
  }
  const { rootElement, warnings } = await moddle.fromXML(source);
  if (kind === "bpmn") linkFlowsToNodes(rootElement);
  return { root: rootElement, warnings: warnings.map(toImportWarning) };
}

/**
 * Fills each flow node's `incoming` / `outgoing` from the sequence flows' sourceRef / targetRef, as the
 * engine does: hand-written files often leave the redundant <incoming>/<outgoing> elements out, and
 * graph rules that read only those would see every node as disconnected.
 */
function linkFlowsToNodes(root: ModdleElement): void {
  const visit = (container: ModdleElement) => {
    for (const element of container.flowElements ?? []) {
      if (element.$type === "bpmn:SequenceFlow") {
        addOnce(element.sourceRef, "outgoing", element);
        addOnce(element.targetRef, "incoming", element);
      }
      if (element.flowElements) visit(element);
    }
  };
  for (const element of root?.rootElements ?? []) if (element.flowElements) visit(element);
}

function addOnce(node: ModdleElement, property: "incoming" | "outgoing", flow: ModdleElement): void {
  if (!node || typeof node.get !== "function") return;
  const list: ModdleElement[] = node.get(property);
  if (!list.includes(flow)) list.push(flow);
}

function toImportWarning(warning: Error & { element?: ModdleElement }): ImportWarning {
  const message = warning.message;
  // Point at the event rather than its event definition: that is the element a modeler shows.
  const element =
    warning.element?.$instanceOf?.("bpmn:EventDefinition") && warning.element.$parent?.id
      ? warning.element.$parent
      : warning.element;
  const unresolved = /^unresolved reference <([^>]*)>/.exec(message);
  if (unresolved) {
    return {
      message: `reference to "${unresolved[1]}", which is not defined in this file`,
      elementId: typeof element?.id === "string" ? element.id : null,
      kind: "unresolved-reference",
      reference: unresolved[1] ?? null,
      position: null,
    };
  }
  // moddle's message is "unparsable content <x> detected\n\tline: …\n\tnested error: …".
  const nested = /nested error: (.*)$/m.exec(message)?.[1]?.trim();
  const head = message.split("\n")[0] ?? message;
  const line = /\bline: (\d+)/.exec(message)?.[1];
  const column = /\bcolumn: (\d+)/.exec(message)?.[1];
  return {
    message: nested ? `${head}: ${nested}` : head,
    elementId: typeof element?.id === "string" ? element.id : null,
    kind: nested?.startsWith("duplicate ID") ? "duplicate-id" : "invalid-content",
    reference: null,
    position: line === undefined ? null : { line: Number(line) + 1, column: Number(column ?? 0) + 1 },
  };
}
