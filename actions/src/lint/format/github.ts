import type { Finding, LintReport } from "#core/lint/types.js";

/** GitHub shows at most this many annotations of each kind per step; the rest are dropped silently. */
export const ANNOTATIONS_PER_KIND = 10;

const COMMAND: Record<Finding["severity"], string> = { error: "error", warning: "warning", info: "notice" };

/** Workflow-command escaping of a message body. */
function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Workflow-command escaping of a property value (also `:` and `,`). */
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function annotation(f: Finding): string {
  const title = `${f.consequence}: ${f.rule}${f.elementId ? ` (${f.elementId})` : ""}`;
  const properties = `file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(title)}`;
  return `::${COMMAND[f.severity]} ${properties}::${escapeData(f.message)}`;
}

/**
 * `::error file=…,line=…,col=…,title=…::message` lines, the most severe first, within GitHub's per-step
 * limits; a final plain line says how many were left out and where to see them all.
 */
export function formatGithub(report: LintReport): string {
  const lines: string[] = [];
  const left: Record<string, number> = {};
  const shown: Record<string, number> = {};
  for (const finding of report.findings) {
    const kind = COMMAND[finding.severity];
    shown[kind] = (shown[kind] ?? 0) + 1;
    if ((shown[kind] ?? 0) > ANNOTATIONS_PER_KIND) left[kind] = (left[kind] ?? 0) + 1;
    else lines.push(annotation(finding));
  }
  const omitted = Object.entries(left).map(([kind, n]) => `${n} ${kind}${n === 1 ? "" : "s"}`);
  const { summary } = report;
  lines.push(
    `camunda-gitops lint: ${summary.files} file(s), ${summary.errors} error(s), ${summary.warnings} warning(s), ${summary.suppressed.length} suppressed` +
      (omitted.length > 0
        ? `; ${omitted.join(" and ")} not annotated (GitHub shows ${ANNOTATIONS_PER_KIND} per kind and step): see the job summary or the SARIF results`
        : ""),
  );
  return `${lines.join("\n")}\n`;
}
