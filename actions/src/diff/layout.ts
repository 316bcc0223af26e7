/**
 * The diagram (BPMN DI / DMN DI) of each element: where its shape is, how big, where its label sits,
 * the route of an edge, its colours. None of it changes what the engine executes; it is compared apart
 * so that a re-layout is reported as layout, and shape positions help to recognise a renamed element.
 */
import type { ModdleElement } from "#core/lint/parse.js";
import type { PropertyMap } from "./flatten.js";

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ElementLayout {
  /** Readable layout properties (`position`, `size`, `waypoints`, …) compared between versions. */
  properties: PropertyMap;
  bounds: Bounds | null;
}

function number(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.round(n * 10) / 10 : 0;
}

function boundsOf(bounds: ModdleElement): Bounds | null {
  if (!bounds) return null;
  return {
    x: number(bounds.x),
    y: number(bounds.y),
    width: number(bounds.width),
    height: number(bounds.height),
  };
}

function describeShape(shape: ModdleElement, properties: PropertyMap): Bounds | null {
  const bounds = boundsOf(shape.bounds);
  if (bounds) {
    properties.set("position", `(${bounds.x}, ${bounds.y})`);
    properties.set("size", `${bounds.width} × ${bounds.height}`);
  }
  const label = boundsOf(shape.label?.bounds);
  if (label) properties.set("label position", `(${label.x}, ${label.y}) ${label.width} × ${label.height}`);
  for (const flag of ["isExpanded", "isHorizontal", "isMarkerVisible"]) {
    if (shape[flag] !== undefined) properties.set(flag, String(shape[flag]));
  }
  return bounds;
}

function describeEdge(edge: ModdleElement, properties: PropertyMap): void {
  const points: ModdleElement[] = edge.waypoint ?? [];
  properties.set("waypoints", points.map((p) => `(${number(p.x)}, ${number(p.y)})`).join(" → "));
  const label = boundsOf(edge.label?.bounds);
  if (label) properties.set("label position", `(${label.x}, ${label.y}) ${label.width} × ${label.height}`);
}

function describeColours(element: ModdleElement, properties: PropertyMap): void {
  const colours: string[] = [];
  for (const key of ["stroke", "fill", "background-color", "border-color"]) {
    const value = element.get?.(key) ?? element[key];
    if (typeof value === "string") colours.push(`${key} ${value}`);
  }
  for (const [key, value] of Object.entries(element.$attrs ?? {})) {
    if (!key.startsWith("xmlns") && /colou?r|stroke|fill/i.test(key)) colours.push(`${key} ${String(value)}`);
  }
  if (colours.length > 0) properties.set("colour", colours.join(", "));
}

/** The layout of every element drawn in a BPMN or DMN diagram, by element id. */
export function collectLayout(definitions: ModdleElement): Map<string, ElementLayout> {
  const layouts = new Map<string, ElementLayout>();
  const add = (element: ModdleElement, target: ModdleElement) => {
    const id = typeof target === "object" && target ? target.id : undefined;
    if (typeof id !== "string") return;
    const properties: PropertyMap = new Map();
    let bounds: Bounds | null = null;
    if (Array.isArray(element.waypoint)) describeEdge(element, properties);
    else bounds = describeShape(element, properties);
    describeColours(element, properties);
    // An element drawn twice (a collapsed sub-process and its drill-down plane) keeps both descriptions.
    const existing = layouts.get(id);
    if (existing) {
      for (const [key, value] of properties) existing.properties.set(`${key}#2`, value);
      return;
    }
    layouts.set(id, { properties, bounds });
  };
  // BPMN: definitions.diagrams[].plane.planeElement[] with bpmnElement.
  for (const diagram of definitions.diagrams ?? []) {
    for (const element of diagram.plane?.planeElement ?? []) add(element, element.bpmnElement);
  }
  // DMN 1.3: definitions.dmnDI.diagrams[].diagramElements[] with dmnElementRef.
  for (const diagram of definitions.dmnDI?.diagrams ?? []) {
    for (const element of diagram.diagramElements ?? []) add(element, element.dmnElementRef);
  }
  return layouts;
}

/** How far apart two shapes are, 0 when they sit at the same place; Infinity when either has no shape. */
export function distance(a: Bounds | null, b: Bounds | null): number {
  if (!a || !b) return Number.POSITIVE_INFINITY;
  const ax = a.x + a.width / 2;
  const ay = a.y + a.height / 2;
  const bx = b.x + b.width / 2;
  const by = b.y + b.height / 2;
  return Math.hypot(ax - bx, ay - by);
}
