import type { LintReport } from "#core/lint/types.js";
import { formatGithub } from "./github.js";
import { formatJson } from "./json.js";
import { formatSarif } from "./sarif.js";
import { formatText } from "./text.js";

export const FORMATS = ["text", "json", "github", "sarif"] as const;
export type Format = (typeof FORMATS)[number];

export function formatReport(
  report: LintReport,
  format: Format,
  options: { colour?: boolean; version?: string; docsBase?: string } = {},
): string {
  switch (format) {
    case "json":
      return formatJson(report);
    case "github":
      return formatGithub(report);
    case "sarif":
      return formatSarif(report, options.version ?? "0.0.0", options.docsBase);
    default:
      return formatText(report, { colour: options.colour ?? false });
  }
}
