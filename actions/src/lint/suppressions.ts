import type { AllowCodeEntry, SuppressionEntry } from "./config.js";
import { CODE_RULES } from "./plugin/rules/code-policy.js";
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
  /** Where it comes from: a comment in the model, a `suppress` entry, or an `allowCode` entry. */
  kind: "comment" | "config" | "allow";
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
        consequence: "policy",
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
      kind: "comment",
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
    kind: "config" as const,
  }));
}

/**
 * The code-policy allow-list: each entry names a file, an element and (optionally) one code-policy rule,
 * with the reason a reviewer accepted. An incomplete entry is a finding and waives nothing.
 */
export function suppressionsFromAllowList(
  entries: readonly AllowCodeEntry[],
  lines: readonly number[],
  configSource: string,
) {
  const suppressions: Suppression[] = [];
  const problems: Finding[] = [];
  entries.forEach((entry, i) => {
    const line = lines[i] ?? 1;
    const missing = [
      entry.file?.trim() ? null : "file",
      entry.elementId?.trim() ? null : "elementId",
      entry.reason?.trim() ? null : "reason",
    ].filter((x): x is string => x !== null);
    const rule = entry.rule?.replace(/^camunda-gitops\//, "");
    const problem = (message: string) =>
      problems.push({
        file: configSource,
        line,
        column: 1,
        elementId: entry.elementId ?? null,
        rule: "camunda-gitops/allow-code",
        severity: "error",
        consequence: "policy",
        message,
      });
    if (missing.length > 0) {
      problem(
        `allowCode entry ${i + 1} has no ${missing.join(", ")}: it waives nothing; every entry names the file, the element and why the code is acceptable`,
      );
      return;
    }
    if (rule !== undefined && !CODE_RULES.includes(rule)) {
      problem(
        `allowCode entry ${i + 1} names "${entry.rule}", which is not a code-policy rule (${CODE_RULES.join(", ")})`,
      );
      return;
    }
    suppressions.push({
      file: entry.file as string,
      elementId: entry.elementId as string,
      rules: rule ? [rule] : [...CODE_RULES],
      reason: (entry.reason as string).trim(),
      origin: `${configSource}:${line}`,
      line,
      used: false,
      kind: "allow",
    });
  });
  return { suppressions, problems };
}

/** `topic-registered` and `camunda-gitops/topic-registered` both name the plugin rule. */
function ruleMatches(written: string, rule: string): boolean {
  return written === rule || rule.endsWith(`/${written}`);
}

/** Code-policy findings are waived only by the allow-list, never by a comment inside the model itself. */
export function isCodePolicyRule(rule: string): boolean {
  return CODE_RULES.some((name) => rule === `camunda-gitops/${name}`);
}

export function findSuppression(
  finding: Finding,
  suppressions: readonly Suppression[],
): Suppression | undefined {
  const codePolicy = isCodePolicyRule(finding.rule);
  return suppressions.find(
    (s) =>
      s.file === finding.file &&
      (s.kind === "allow") === codePolicy &&
      (s.elementId === null || s.elementId === finding.elementId) &&
      s.rules.some((rule) => ruleMatches(rule, finding.rule)),
  );
}
