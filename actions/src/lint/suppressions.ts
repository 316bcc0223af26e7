import type { SuppressionEntry } from "./config.js";
import type { SourceComment } from "./source-map.js";
import type { Finding } from "./types.js";

/** A waiver: for a whole file (elementId null) or one element, for the listed rules, with a reason. */
export interface Suppression {
  file: string;
  elementId: string | null;
  rules: string[];
  reason: string;
  /** `file:line` of the comment, or the config file. */
  origin: string;
  line: number;
  used: boolean;
}

const COMMENT = /^\s*camunda-gitops-disable(-file)?\s+([^:]*?)\s*(?::\s*([\s\S]*?))?\s*$/;

/**
 * Reads suppressions from XML comments:
 *   <!-- camunda-gitops-disable-file rule-a, rule-b: reason -->   the whole file
 *   <!-- camunda-gitops-disable rule-a: reason -->               the next element that has an id
 * Malformed ones (no reason, no rule, nothing to apply to) come back as findings.
 */
export function suppressionsFromComments(file: string, comments: readonly SourceComment[]) {
  const suppressions: Suppression[] = [];
  const problems: Finding[] = [];
  for (const comment of comments) {
    const match = COMMENT.exec(comment.text);
    if (!match) continue;
    const [, fileScope, ruleList = "", reason = ""] = match;
    const rules = ruleList.split(/[\s,]+/).filter(Boolean);
    const problem = (message: string) =>
      problems.push({
        file,
        line: comment.line,
        column: 1,
        elementId: null,
        rule: "camunda-gitops/suppression",
        severity: "error",
        message,
      });
    if (rules.length === 0) {
      problem("suppression names no rule; write <!-- camunda-gitops-disable rule-name: reason -->");
      continue;
    }
    if (reason.trim() === "") {
      problem(`suppression of ${rules.join(", ")} gives no reason; add one after a colon`);
      continue;
    }
    const elementId = fileScope ? null : comment.nextElementId;
    if (!fileScope && elementId === null) {
      problem(
        "suppression is not followed by an element with an id; move it before the element, or use camunda-gitops-disable-file",
      );
      continue;
    }
    suppressions.push({
      file,
      elementId,
      rules,
      reason: reason.trim(),
      origin: `${file}:${comment.line}`,
      line: comment.line,
      used: false,
    });
  }
  return { suppressions, problems };
}

export function suppressionsFromConfig(
  entries: readonly SuppressionEntry[],
  configSource: string,
): Suppression[] {
  return entries.map((entry) => ({
    file: entry.file,
    elementId: entry.elementId ?? null,
    rules: [entry.rule],
    reason: entry.reason,
    origin: configSource,
    line: 1,
    used: false,
  }));
}

/** `topic-registered` and `camunda-gitops/topic-registered` both name the plugin rule. */
function ruleMatches(written: string, rule: string): boolean {
  return written === rule || rule.endsWith(`/${written}`);
}

export function findSuppression(
  finding: Finding,
  suppressions: readonly Suppression[],
): Suppression | undefined {
  return suppressions.find(
    (s) =>
      s.file === finding.file &&
      (s.elementId === null || s.elementId === finding.elementId) &&
      s.rules.some((rule) => ruleMatches(rule, finding.rule)),
  );
}
