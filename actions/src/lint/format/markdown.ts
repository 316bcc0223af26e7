import type { LintReport } from "#core/lint/types.js";

/** Builds a link to a file's line in the repository's web view, or null when there is no web view. */
export type LineLink = (file: string, line: number) => string | null;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * The job summary: counts, a table per file (errors, warnings, suppressed), the top findings with
 * links to their lines, and every suppression with its reason.
 */
export function formatMarkdown(
  report: LintReport,
  link: LineLink,
  options: { top?: number; notes?: string[] } = {},
): string {
  const top = options.top ?? 20;
  const { summary } = report;
  const lines: string[] = ["## BPMN/DMN lint", ""];
  const verdict = summary.errors > 0 ? "❌" : summary.warnings > 0 ? "⚠️" : "✅";
  lines.push(
    `${verdict} ${summary.files} file(s): **${summary.errors} error(s)**, ${summary.warnings} warning(s), ${summary.suppressed.length} suppressed`,
    "",
    ...(options.notes ?? []).flatMap((note) => [`> ${note}`, ""]),
    "| File | Errors | Warnings | Suppressed |",
    "|---|---:|---:|---:|",
    ...summary.perFile.map((f) => `| \`${cell(f.file)}\` | ${f.errors} | ${f.warnings} | ${f.suppressed} |`),
    "",
  );
  if (report.findings.length > 0) {
    const shown = report.findings.slice(0, top);
    lines.push(
      `### Top findings${report.findings.length > top ? ` (${top} of ${report.findings.length})` : ""}`,
      "",
    );
    lines.push("| Where | Severity | Rule | Message |", "|---|---|---|---|");
    for (const f of shown) {
      const where = `${f.file}:${f.line}${f.elementId ? ` (${f.elementId})` : ""}`;
      const url = link(f.file, f.line);
      lines.push(
        `| ${url ? `[${cell(where)}](${url})` : cell(where)} | ${f.severity} | \`${f.rule}\` | ${cell(f.message)} |`,
      );
    }
    lines.push("");
  }
  if (summary.suppressed.length > 0) {
    lines.push(
      "### Suppressed findings",
      "",
      "| Where | Rule | Reason | Suppressed by |",
      "|---|---|---|---|",
    );
    for (const s of summary.suppressed) {
      lines.push(
        `| ${cell(`${s.file}:${s.line}`)} | \`${s.rule}\` | ${cell(s.reason)} | ${cell(s.suppressedBy)} |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
