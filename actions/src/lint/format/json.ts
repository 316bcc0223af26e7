import type { LintReport } from "#core/lint/types.js";

/** The stable JSON contract: `{"findings":[…],"summary":{…}}`, keys in a fixed order. */
export function formatJson(report: LintReport): string {
  const findings = report.findings.map((f) => ({
    file: f.file,
    line: f.line,
    column: f.column,
    elementId: f.elementId,
    rule: f.rule,
    severity: f.severity,
    consequence: f.consequence,
    message: f.message,
  }));
  return `${JSON.stringify({ findings, summary: report.summary }, null, 2)}\n`;
}
