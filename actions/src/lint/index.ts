export { ruleDocs } from "./format/docs.js";
export { ANNOTATIONS_PER_KIND, annotation } from "./format/github.js";
export { FORMATS, type Format, formatReport } from "./format/index.js";
export type { LintOptions } from "./linter.js";
export { lint } from "./linter.js";
export type { RegistrySource } from "./registry.js";
export { DEFAULT_REGISTRY_FILE } from "./registry.js";
export type { Consequence, Finding, LintReport, LintSummary, Severity, Suppressed } from "./types.js";
export { CONSEQUENCES } from "./types.js";

import type { LintReport } from "./types.js";

/**
 * Whether a report fails the run: any error does; warnings do when there are more than `maxWarnings`
 * (a negative limit means warnings never fail).
 */
export function reportFails(report: LintReport, maxWarnings: number): boolean {
  if (report.summary.errors > 0) return true;
  return maxWarnings >= 0 && report.summary.warnings > maxWarnings;
}
export { formatMarkdown, type LineLink } from "./format/markdown.js";
