import { findDeep } from "./bpmn-parse.js";
import type { ParseContext } from "./context.js";
import { attr, BPMNDI_NS, child, children, DC_NS, DI_NS, type XmlElement } from "./xml.js";

export function parseDiagrams(ctx: ParseContext): void {
  const participants = new Map<string, string>();
  const collaboration = child(ctx.root, "collaboration");
  for (const participant of collaboration ? children(collaboration, "participant") : []) {
    const processRef = attr(participant, "processRef");
    const id = attr(participant, "id");
    if (processRef && id !== undefined && ctx.processes.some((p) => p.id === processRef))
      participants.set(id, processRef);
  }
  for (const diagram of ctx.root.children.filter((c) => c.uri === BPMNDI_NS && c.local === "BPMNDiagram")) {
    const plane = diagram.children.find((c) => c.uri === BPMNDI_NS && c.local === "BPMNPlane");
    if (!plane) continue;
    const planeElement = attr(plane, "bpmnElement");
    if (planeElement === undefined || planeElement === "") {
      ctx.error("diagram", "BPMNPlane has no bpmnElement", plane);
      continue;
    }
    for (const shape of plane.children.filter((c) => c.uri === BPMNDI_NS && c.local === "BPMNShape")) {
      parseShape(ctx, shape, participants);
    }
    for (const edge of plane.children.filter((c) => c.uri === BPMNDI_NS && c.local === "BPMNEdge")) {
      parseEdge(ctx, edge);
    }
  }
}

function parseShape(ctx: ParseContext, shape: XmlElement, participants: Map<string, string>): void {
  const ref = attr(shape, "bpmnElement");
  if (ref === undefined || ref === "") {
    ctx.error("diagram", "BPMNShape has no bpmnElement", shape);
    return;
  }
  if (participants.has(ref)) {
    parseBounds(ctx, shape);
    return;
  }
  for (const process of ctx.processes) {
    if (findDeep(process, ref) || findDeep(process, ref.replace(/#multiInstanceBody$/, "")))
      parseBounds(ctx, shape);
    else if (!ctx.definitions.ids.has(ref)) {
      ctx.error("diagram", `BPMNShape refers to "${ref}", which is not in the file`, shape);
    }
  }
}

function parseBounds(ctx: ParseContext, shape: XmlElement): void {
  const bounds = shape.children.find((c) => c.uri === DC_NS && c.local === "Bounds");
  if (!bounds) {
    ctx.error("diagram", "BPMNShape has no dc:Bounds", shape);
    return;
  }
  for (const name of ["x", "y", "width", "height"]) number(ctx, shape, name, attr(bounds, name));
}

function number(ctx: ParseContext, element: XmlElement, name: string, value: string | undefined): void {
  if (value === undefined || value === "") ctx.error("diagram", `${name} is required`, element);
  else if (!isJavaDouble(value)) ctx.error("diagram", `${name}="${value}" is not a number`, element);
}

/** What Java's Double.parseDouble accepts (trimmed decimal or hexadecimal, NaN, Infinity, d/f suffix). */
function isJavaDouble(text: string): boolean {
  const t = text.trim();
  return (
    /^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)$/.test(t) ||
    /^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?$/.test(t)
  );
}

function parseEdge(ctx: ParseContext, edge: XmlElement): void {
  const ref = attr(edge, "bpmnElement");
  if (ref === undefined || ref === "") {
    ctx.error("diagram", "BPMNEdge has no bpmnElement", edge);
    return;
  }
  if (ctx.sequenceFlows.has(ref)) {
    const waypoints = edge.children.filter((c) => c.uri === DI_NS && c.local === "waypoint");
    if (waypoints.length < 2) {
      ctx.error("diagram", "BPMNEdge needs at least two di:waypoint elements", edge);
      return;
    }
    for (const point of waypoints) {
      number(ctx, point, "x", attr(point, "x"));
      number(ctx, point, "y", attr(point, "y"));
    }
  } else if (!ctx.definitions.ids.has(ref)) {
    ctx.error("diagram", `BPMNEdge refers to "${ref}", which is not in the file`, edge);
  }
}
