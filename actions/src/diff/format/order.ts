/**
 * The order every human-facing report uses: files with behaviour changes first, then layout-only
 * ones; within a file, migration-relevant changes first, then the other semantic ones, then layout.
 */
import type { Change, DiffReport, FileDiff } from "../types.js";

export interface FileSections {
  file: FileDiff;
  migration: Change[];
  semantic: Change[];
  layout: Change[];
}

export function sections(file: FileDiff): FileSections {
  return {
    file,
    migration: file.changes.filter((c) => c.type !== "layout" && c.migrationRelevant),
    semantic: file.changes.filter((c) => c.type !== "layout" && !c.migrationRelevant),
    layout: file.changes.filter((c) => c.type === "layout"),
  };
}

export function orderedFiles(report: DiffReport): FileDiff[] {
  const rank = (f: FileDiff) => (f.problem ? 0 : f.layoutOnly ? 2 : 1);
  return [...report.files].sort(
    (a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0),
  );
}

export interface Totals {
  files: number;
  semanticFiles: number;
  layoutOnlyFiles: number;
  unreadable: number;
  changes: number;
  migrationRelevant: number;
}

export function totals(report: DiffReport): Totals {
  const semantic = report.files.flatMap((f) => f.changes.filter((c) => c.type !== "layout"));
  return {
    files: report.files.length,
    semanticFiles: report.files.filter((f) => !f.layoutOnly && !f.problem).length,
    layoutOnlyFiles: report.files.filter((f) => f.layoutOnly).length,
    unreadable: report.files.filter((f) => f.problem).length,
    changes: semantic.length,
    migrationRelevant: semantic.filter((c) => c.migrationRelevant).length,
  };
}

export function shortSha(sha: string): string {
  return /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha;
}

/** `user task Task_Review "Review claim"`, or the id alone when nothing else is known. */
export function elementText(change: Change): string {
  const type = change.elementType && change.elementType !== "definitions" ? `${change.elementType} ` : "";
  // A rule or column belongs to a decision; a DMN file may hold several.
  const decision =
    change.container &&
    change.container !== change.elementId &&
    /^(rule|input column|output column)$/.test(change.elementType ?? "")
      ? ` in ${change.container}`
      : "";
  return `${type}${change.elementId}${change.elementName ? ` "${change.elementName}"` : ""}${decision}`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
