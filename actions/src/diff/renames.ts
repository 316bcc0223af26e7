/**
 * A removed element and an added one of the same type at the same place, or with the same name, are
 * probably one element whose id changed (a modeler re-creating a shape, a rename for readability).
 * Saying "probably renamed from Task_Old" matters: instances waiting in Task_Old do not move to
 * Task_New on their own, and the XML diff shows only a small edit.
 */
import type { ElementRecord } from "./bpmn-elements.js";
import { type Bounds, distance } from "./layout.js";

export interface Rename {
  from: string;
  to: string;
  /** What matched: "type", "name", "position", "connections". */
  evidence: string[];
}

interface Candidate extends Rename {
  score: number;
  distance: number;
}

/** Flow nodes connected to `id` through sequence flows, with before-ids translated through `mapping`. */
function neighbours(
  id: string,
  records: Map<string, ElementRecord>,
  mapping: (id: string) => string = (x) => x,
): string {
  const ends: string[] = [];
  for (const record of records.values()) {
    if (record.type !== "bpmn:SequenceFlow") continue;
    const source = record.properties.get("sourceRef");
    const target = record.properties.get("targetRef");
    if (source === id && target) ends.push(`>${mapping(target)}`);
    if (target === id && source) ends.push(`<${mapping(source)}`);
  }
  return ends.sort().join(" ");
}

export function findRenames(
  removed: ElementRecord[],
  added: ElementRecord[],
  before: Map<string, ElementRecord>,
  after: Map<string, ElementRecord>,
  boundsBefore: (id: string) => Bounds | null,
  boundsAfter: (id: string) => Bounds | null,
): Rename[] {
  const candidates: Candidate[] = [];
  for (const old of removed) {
    if (old.type === "bpmn:SequenceFlow" || !old.element.$instanceOf?.("bpmn:FlowNode")) continue;
    for (const next of added) {
      if (next.type !== old.type) continue;
      const evidence = ["type"];
      let score = 0;
      if (old.name && old.name === next.name) {
        evidence.push("name");
        score += 2;
      }
      const d = distance(boundsBefore(old.id), boundsAfter(next.id));
      if (d <= 5) {
        evidence.push("position");
        score += 2;
      } else if (d <= 60) {
        evidence.push("nearby position");
        score += 1;
      }
      const a = neighbours(old.id, before);
      if (a !== "" && a === neighbours(next.id, after)) {
        evidence.push("connections");
        score += 1;
      }
      if (score >= 2) candidates.push({ from: old.id, to: next.id, evidence, score, distance: d });
    }
  }
  candidates.sort((x, y) => y.score - x.score || x.distance - y.distance);
  const taken = new Set<string>();
  const renames: Rename[] = [];
  for (const c of candidates) {
    if (taken.has(c.from) || taken.has(c.to)) continue;
    taken.add(c.from);
    taken.add(c.to);
    renames.push({ from: c.from, to: c.to, evidence: c.evidence });
  }
  // A sequence flow between the same two (renamed) elements is the same flow with a new id.
  const mapping = new Map(renames.map((r) => [r.from, r.to]));
  const translate = (id: string) => mapping.get(id) ?? id;
  const flowsAdded = added.filter((r) => r.type === "bpmn:SequenceFlow");
  for (const old of removed) {
    if (old.type !== "bpmn:SequenceFlow") continue;
    const ends = `${translate(old.properties.get("sourceRef") ?? "")}→${translate(old.properties.get("targetRef") ?? "")}`;
    const matches = flowsAdded.filter(
      (next) =>
        !taken.has(next.id) &&
        `${next.properties.get("sourceRef") ?? ""}→${next.properties.get("targetRef") ?? ""}` === ends,
    );
    const only = matches.length === 1 ? matches[0] : undefined;
    if (!only) continue;
    taken.add(only.id);
    renames.push({ from: old.id, to: only.id, evidence: ["type", "source and target"] });
  }
  return renames;
}
