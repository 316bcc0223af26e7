/**
 * The line-level problems of a failed release, for GitHub annotations: lint findings that stopped it,
 * or the engine's parse errors with their file, line and column. Other failures have no line.
 */
import { DeploymentRefusedError } from "./deploy-errors.js";
import { LintRefusedError } from "./lint-gate.js";

export interface LineAnnotation {
  file: string;
  line: number;
  column: number;
  title: string;
  message: string;
}

/** GitHub shows a limited number of annotations per step; the rest stay in the log. */
export const MAX_ANNOTATIONS = 50;

export function annotationsFor(error: unknown): LineAnnotation[] {
  if (error instanceof LintRefusedError) {
    return error.findings.slice(0, MAX_ANNOTATIONS).map((f) => ({
      file: f.file,
      line: f.line,
      column: f.column,
      title: `${f.rule}${f.elementId ? ` (${f.elementId})` : ""}`,
      message: f.message,
    }));
  }
  if (error instanceof DeploymentRefusedError) {
    return error.problems.slice(0, MAX_ANNOTATIONS).map((p) => ({
      file: p.file,
      line: p.line,
      column: p.column,
      title: `Camunda refused ${p.file.split("/").pop()}${p.elementId ? ` (${p.elementId})` : ""}`,
      message: p.message,
    }));
  }
  return [];
}
