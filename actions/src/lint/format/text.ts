import type { Consequence, Finding, LintReport } from "#core/lint/types.js";

/** What each consequence means, for the summary line. */
const CONSEQUENCE_WORDS: Record<Consequence, string> = {
  deploy: "the engine would reject",
  runtime: "would fail at run time",
  policy: "break the repository's policy",
  style: "style",
};

const COLOURS = {
  error: "\u001b[31m",
  warning: "\u001b[33m",
  info: "\u001b[36m",
  dim: "\u001b[2m",
  bold: "\u001b[1m",
  reset: "\u001b[0m",
};

/**
 * Human output grouped by file: `file:line:col  severity  consequence  rule  message  (elementId)`,
 * then the counts per consequence: what would happen if these models shipped.
 */
export function formatText(report: LintReport, options: { colour: boolean }): string {
  const paint = (colour: keyof typeof COLOURS, text: string) =>
    options.colour ? `${COLOURS[colour]}${text}${COLOURS.reset}` : text;
  const lines: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  for (const [file, findings] of byFile) {
    lines.push(paint("bold", file));
    for (const f of findings) {
      const where = `${f.file}:${f.line}:${f.column}`;
      const element = f.elementId ? `  ${paint("dim", `(${f.elementId})`)}` : "";
      lines.push(
        `  ${where}  ${paint(f.severity, f.severity.padEnd(7))}  ${f.consequence.padEnd(7)}  ${f.rule}  ${f.message}${element}`,
      );
    }
    lines.push("");
  }
  const { summary } = report;
  if (summary.suppressed.length > 0) {
    lines.push(paint("bold", `Suppressed (${summary.suppressed.length}):`));
    for (const s of summary.suppressed) {
      lines.push(`  ${s.file}:${s.line}:${s.column}  ${s.rule}  "${s.reason}"  (by ${s.suppressedBy})`);
    }
    lines.push("");
  }
  const counts = `${summary.errors} error(s), ${summary.warnings} warning(s), ${summary.infos} info`;
  const tail = summary.suppressed.length > 0 ? `, ${summary.suppressed.length} suppressed` : "";
  const shipped = Object.entries(summary.consequences ?? {})
    .filter(([, n]) => n > 0)
    .map(([consequence, n]) => `${n} ${CONSEQUENCE_WORDS[consequence as Consequence]}`);
  lines.push(
    `${summary.files} file(s) linted: ${counts}${tail}${shipped.length > 0 ? ` (${shipped.join(", ")})` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}
