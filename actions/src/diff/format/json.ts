/**
 * `diff --format json`: exactly the fields of the documented contract, in the documented order, so
 * other tools can rely on it. A file that could not be compared carries one change saying why.
 */
import type { Change, DiffReport, FileDiff } from "../types.js";

export interface JsonChange {
  elementId: string;
  type: Change["type"];
  property: string | null;
  before: string | null;
  after: string | null;
  migrationRelevant: boolean;
  message: string;
}

export interface JsonFile {
  file: string;
  kind: FileDiff["kind"];
  status: FileDiff["status"];
  layoutOnly: boolean;
  changes: JsonChange[];
}

export interface JsonReport {
  base: string;
  head: string;
  files: JsonFile[];
}

function change(c: Change): JsonChange {
  return {
    elementId: c.elementId,
    type: c.type,
    property: c.property,
    before: c.before,
    after: c.after,
    migrationRelevant: c.migrationRelevant,
    message: c.message,
  };
}

export function toJsonReport(report: DiffReport): JsonReport {
  return {
    base: report.base,
    head: report.head,
    files: report.files.map((f) => ({
      file: f.file,
      kind: f.kind,
      status: f.status,
      layoutOnly: f.layoutOnly,
      changes: f.problem
        ? [
            {
              elementId: f.file,
              type: "changed",
              property: "unreadable",
              before: null,
              after: null,
              migrationRelevant: false,
              message: f.problem,
            },
          ]
        : f.changes.map(change),
    })),
  };
}

export function formatJson(report: DiffReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}
