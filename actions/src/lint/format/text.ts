import type { Finding, LintReport } from "#core/lint/types.js";

const COLOURS = {
  error: "\u001b[31m",
  warning: "\u001b[33m",
  info: "\u001b[36m",
  dim: "\u001b[2m",
  bold: "\u001b[1m",
  reset: "\u001b[0m",
};

/** Human output grouped by file: `file:line:col  severity  rule  message  (elementId)`. */
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
      lines.push(`  ${where}  ${paint(f.severity, f.severity.padEnd(7))}  ${f.rule}  ${f.message}${element}`);
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
  lines.push(`${summary.files} file(s) linted: ${counts}${tail}`);
  return `${lines.join("\n")}\n`;
}
