import { CONSEQUENCES, type Consequence, type Finding, type LintReport } from "#core/lint/types.js";
import { ruleDocs } from "./docs.js";

/** Builds a link to a file's line in the repository's web view, or null when there is no web view. */
export type LineLink = (file: string, line: number) => string | null;

const HEADINGS: Record<Consequence, string> = {
  deploy: "The engine would reject the deployment",
  runtime: "Deploys, then fails or misbehaves at run time",
  policy: "Breaks the repository's policy",
  style: "Style",
};

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * The job summary: counts per consequence, a table per file, then the findings grouped by what would
 * happen if they shipped (each with a link to its line and to its rule's page), and every suppression
 * with its reason. `top` caps the rows of each group.
 */
export function formatMarkdown(
  report: LintReport,
  link: LineLink,
  options: { top?: number; notes?: string[]; docsBase?: string } = {},
): string {
  const top = options.top ?? 20;
  const { summary } = report;
  const lines: string[] = ["## BPMN/DMN lint", ""];
  const verdict = summary.errors > 0 ? "❌" : summary.warnings > 0 ? "⚠️" : "✅";
  const groups = new Map<Consequence, Finding[]>(CONSEQUENCES.map((c) => [c, []]));
  for (const finding of report.findings) groups.get(finding.consequence)?.push(finding);
  lines.push(
    `${verdict} ${summary.files} file(s): **${summary.errors} error(s)**, ${summary.warnings} warning(s), ${summary.suppressed.length} suppressed`,
    "",
    ...(options.notes ?? []).flatMap((note) => [`> ${note}`, ""]),
    "| If it shipped | Errors | Warnings |",
    "|---|---:|---:|",
    ...CONSEQUENCES.map((c) => {
      const found = groups.get(c) ?? [];
      const errors = found.filter((f) => f.severity === "error").length;
      return `| ${HEADINGS[c]} (\`${c}\`) | ${errors} | ${found.length - errors} |`;
    }),
    "",
    "| File | Errors | Warnings | Suppressed |",
    "|---|---:|---:|---:|",
    ...summary.perFile.map((f) => `| \`${cell(f.file)}\` | ${f.errors} | ${f.warnings} | ${f.suppressed} |`),
    "",
  );
  for (const consequence of CONSEQUENCES) {
    const found = groups.get(consequence) ?? [];
    if (found.length === 0) continue;
    const shown = found.slice(0, top);
    lines.push(
      `### ${HEADINGS[consequence]} (\`${consequence}\`)${found.length > top ? `: ${top} of ${found.length}` : ""}`,
      "",
      "| Where | Severity | Rule | Message |",
      "|---|---|---|---|",
    );
    for (const f of shown) {
      const where = `${f.file}:${f.line}${f.elementId ? ` (${f.elementId})` : ""}`;
      const url = link(f.file, f.line);
      lines.push(
        `| ${url ? `[${cell(where)}](${url})` : cell(where)} | ${f.severity} | [\`${f.rule}\`](${ruleDocs(f.rule, options.docsBase)}) | ${cell(f.message)} |`,
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
