/**
 * The elements of a BPMN model that a reviewer thinks of one by one (tasks, events, gateways, flows,
 * processes, participants, lanes, messages, …), each with its flat properties and the scope it sits in.
 * Nested parts without an identity of their own (event definitions, extension elements, loop
 * characteristics, expressions) are properties of their element.
 */
import type { ModdleElement } from "#core/lint/parse.js";
import { elementTypeLabel } from "./describe.js";
import { type FlattenOptions, flattenElement, type PropertyMap } from "./flatten.js";

export interface ElementRecord {
  id: string;
  /** The moddle type, e.g. `bpmn:UserTask`. */
  type: string;
  typeLabel: string;
  name: string | null;
  element: ModdleElement;
  properties: PropertyMap;
  /** Id of the process or sub-process the element sits in (null for root elements). */
  scope: string | null;
  /** Id of the top-level process (the definition key running instances belong to). */
  process: string | null;
}

const REPORTED = [
  "bpmn:FlowElement",
  "bpmn:Process",
  "bpmn:Participant",
  "bpmn:MessageFlow",
  "bpmn:Lane",
  "bpmn:Artifact",
  "bpmn:RootElement",
];
const SCOPES = ["bpmn:Process", "bpmn:SubProcess"];

function is(element: ModdleElement, types: readonly string[]): boolean {
  return typeof element?.$instanceOf === "function" && types.some((t) => element.$instanceOf(t));
}

function isDiagram(element: ModdleElement): boolean {
  const type: string = element?.$type ?? "";
  return /^(bpmndi|di|dc):/.test(type);
}

export function isReported(element: ModdleElement): boolean {
  // Event definitions are root elements in the BPMN schema, but a reviewer sees them as part of their event.
  return is(element, REPORTED) && !is(element, ["bpmn:EventDefinition"]) && !isDiagram(element);
}

export const BPMN_FLATTEN: FlattenOptions = {
  isOwnElement: (element) => isReported(element) || is(element, ["bpmn:LaneSet"]) || isDiagram(element),
  // Derived from other properties (flows' sourceRef/targetRef, lanes' flowNodeRef, boundary events' attachedToRef).
  skip: new Set([
    "bpmn:incoming",
    "bpmn:outgoing",
    "bpmn:lanes",
    "bpmn:boundaryEventRefs",
    "bpmn:diagrams",
    "bpmn:exporter",
    "bpmn:exporterVersion",
  ]),
  ownPrefix: "bpmn",
};

/** Whether running instances can wait in (or hold a subscription or job at) this element. */
export function canHoldInstances(element: ModdleElement): boolean {
  if (!is(element, ["bpmn:FlowNode"])) return false;
  if (
    is(element, [
      "bpmn:Activity",
      "bpmn:IntermediateCatchEvent",
      "bpmn:BoundaryEvent",
      "bpmn:EventBasedGateway",
      "bpmn:ParallelGateway",
      "bpmn:InclusiveGateway",
      "bpmn:ComplexGateway",
    ])
  ) {
    return true;
  }
  const flag = (name: string) => {
    const value = element.get ? element.get(name) : element[name];
    return value === true || value === "true";
  };
  return flag("camunda:asyncBefore") || flag("camunda:asyncAfter") || flag("camunda:async");
}

export function collectElements(definitions: ModdleElement): Map<string, ElementRecord> {
  const records = new Map<string, ElementRecord>();
  const visit = (element: ModdleElement, scope: string | null, process: string | null): void => {
    if (!element || typeof element !== "object" || isDiagram(element)) return;
    let innerScope = scope;
    let innerProcess = process;
    if (typeof element.id === "string" && isReported(element)) {
      const properties = flattenElement(element, BPMN_FLATTEN);
      // Moving an element into or out of a sub-process changes its scope: running instances need a mapping.
      if (is(element, ["bpmn:FlowElement"]) && scope) properties.set("scope", scope);
      const name = typeof element.name === "string" && element.name.trim() ? element.name.trim() : null;
      records.set(element.id, {
        id: element.id,
        type: element.$type,
        typeLabel: elementTypeLabel(element),
        name,
        element,
        properties,
        scope,
        process,
      });
    }
    if (typeof element.id === "string" && is(element, SCOPES)) {
      innerScope = element.id;
      if (element.$type === "bpmn:Process") innerProcess = element.id;
    }
    const descriptors: Array<{ name: string; isReference?: boolean }> = element.$descriptor?.properties ?? [];
    for (const descriptor of descriptors) {
      if (descriptor.isReference || descriptor.name.startsWith("$") || descriptor.name === "diagrams")
        continue;
      const value = element.get ? element.get(descriptor.name) : element[descriptor.name];
      if (Array.isArray(value)) for (const child of value) visit(child, innerScope, innerProcess);
      else if (value && typeof value === "object" && value.$type) visit(value, innerScope, innerProcess);
    }
  };
  visit(definitions, null, null);
  return records;
}
