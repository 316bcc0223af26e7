/**
 * Which diagram elements to mark in the before and after pictures: removed (before only), added
 * (after only), changed (both; a renamed element under its old id before and its new id after), moved
 * (layout only, both), and migration-relevant as an extra mark.
 */
import type { FileDiff } from "../types.js";

export type MarkerKind = "added" | "removed" | "changed" | "moved" | "migration";
export type MarkerMap = Record<string, MarkerKind[]>;

export interface DiagramMarkers {
  before: MarkerMap;
  after: MarkerMap;
}

function mark(map: MarkerMap, id: string, kind: MarkerKind): void {
  const kinds = map[id] ?? [];
  if (!kinds.includes(kind)) kinds.push(kind);
  map[id] = kinds;
}

export function diagramMarkers(file: FileDiff): DiagramMarkers {
  const before: MarkerMap = {};
  const after: MarkerMap = {};
  for (const change of file.changes) {
    const id = change.elementId;
    if (change.type === "added") mark(after, id, "added");
    else if (change.type === "removed") mark(before, id, "removed");
    else if (change.type === "changed") {
      mark(before, change.previousId ?? id, "changed");
      mark(after, id, "changed");
    } else {
      mark(before, id, "moved");
      mark(after, id, "moved");
    }
    if (change.migrationRelevant) {
      if (change.type !== "added") mark(before, change.previousId ?? id, "migration");
      if (change.type !== "removed") mark(after, id, "migration");
    }
  }
  // An element with a behaviour change is shown as changed, not also as moved.
  for (const map of [before, after]) {
    for (const [id, kinds] of Object.entries(map)) {
      if (kinds.length > 1 && kinds.includes("moved")) map[id] = kinds.filter((k) => k !== "moved");
    }
  }
  return { before, after };
}

/** Colours and badges shared by the pictures and the HTML report; the symbols keep them apart without colour. */
export const MARKER_STYLES: Record<
  Exclude<MarkerKind, "migration">,
  { stroke: string; fill: string; badge: string; label: string }
> = {
  added: { stroke: "#1b7f3b", fill: "#e3f4e8", badge: "+", label: "added" },
  removed: { stroke: "#c62828", fill: "#fdecea", badge: "−", label: "removed" },
  changed: { stroke: "#c25e00", fill: "#fff1df", badge: "~", label: "changed" },
  moved: { stroke: "#1f5fbf", fill: "#e6efff", badge: "↔", label: "moved (layout only)" },
};
