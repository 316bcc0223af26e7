/**
 * The report: findings matched against suppressions and the allow-list (unused ones reported), sorted,
 * and the counts per file, severity and consequence.
 */
import { findSuppression, isCodePolicyRule, type Suppression } from "./suppressions.js";
import {
  CONSEQUENCES,
  type Consequence,
  type FileSummary,
  type Finding,
  type LintReport,
  type Severity,
  type Suppressed,
} from "./types.js";

export function finish(all: Finding[], suppressions: Suppression[], files: readonly string[]): LintReport {
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  for (const finding of all) {
    const suppression = findSuppression(finding, suppressions);
    if (suppression) {
      suppression.used = true;
      suppressed.push({ ...finding, reason: suppression.reason, suppressedBy: suppression.origin });
    } else {
      findings.push(finding);
    }
  }
  for (const suppression of suppressions) {
    if (suppression.used || !files.includes(suppression.file)) continue;
    const allow = suppression.kind === "allow";
    const triesCodePolicy =
      !allow &&
      suppression.rules.some((rule) =>
        isCodePolicyRule(rule.includes("/") ? rule : `camunda-gitops/${rule}`),
      );
    findings.push({
      file: allow
        ? suppression.origin.replace(/:\d+$/, "")
        : suppression.origin.startsWith(suppression.file)
          ? suppression.file
          : suppression.origin,
      line: suppression.line,
      column: 1,
      elementId: suppression.elementId,
      rule: allow ? "camunda-gitops/allow-code" : "camunda-gitops/suppression",
      severity: "warning",
      consequence: "policy",
      message: triesCodePolicy
        ? `code-policy findings (${suppression.rules.join(", ")}) can be waived only by a camunda-gitops.allowCode entry in the lint config, not by a suppression; move it there with its reason`
        : `${allow ? "allowCode entry" : "suppression"} for ${suppression.rules.length > 1 && allow ? "code" : suppression.rules.join(", ")}${suppression.elementId ? ` on ${suppression.elementId}` : ""} in ${suppression.file} matches no finding; remove it`,
    });
  }
  const order = (a: Finding, b: Finding) =>
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.rule.localeCompare(b.rule) ||
    a.message.localeCompare(b.message);
  findings.sort(order);
  suppressed.sort(order);

  const perFile = new Map<string, FileSummary>();
  for (const file of files) perFile.set(file, { file, errors: 0, warnings: 0, infos: 0, suppressed: 0 });
  const entry = (file: string) => {
    let summary = perFile.get(file);
    if (!summary) {
      summary = { file, errors: 0, warnings: 0, infos: 0, suppressed: 0 };
      perFile.set(file, summary);
    }
    return summary;
  };
  for (const finding of findings) {
    const summary = entry(finding.file);
    if (finding.severity === "error") summary.errors++;
    else if (finding.severity === "warning") summary.warnings++;
    else summary.infos++;
  }
  for (const finding of suppressed) entry(finding.file).suppressed++;
  const count = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  const consequences = Object.fromEntries(CONSEQUENCES.map((c) => [c, 0])) as Record<Consequence, number>;
  for (const finding of findings) consequences[finding.consequence]++;
  return {
    findings,
    summary: {
      files: files.length,
      errors: count("error"),
      warnings: count("warning"),
      infos: count("info"),
      consequences,
      suppressed,
      perFile: [...perFile.values()].sort((a, b) => a.file.localeCompare(b.file)),
    },
  };
}
