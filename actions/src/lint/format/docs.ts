import { projectRules } from "#core/lint/plugin/index.js";

const BPMNLINT_DOCS = "https://github.com/bpmn-io/bpmnlint/blob/main/docs/rules";
const OWN = new Set(projectRules.map((rule) => rule.name));

/**
 * Where a rule is explained: bpmnlint's page for its rules, this repository's docs/lint/rules/<name>.md
 * for the project's (the overview for the linter's own checks). `base` is the repository's web address
 * for that commit (ending in "/"); without it the path is relative to the repository root.
 */
export function ruleDocs(rule: string, base = ""): string {
  if (!rule.includes("/")) return `${BPMNLINT_DOCS}/${rule}.md`;
  const name = rule.slice(rule.indexOf("/") + 1);
  return OWN.has(name)
    ? `${base}docs/lint/rules/${name}.md`
    : `${base}docs/lint/README.md#checks-of-the-linter-itself`;
}

export function ruleDescription(rule: string): string {
  if (!rule.includes("/")) return `bpmnlint rule ${rule}`;
  const name = rule.slice(rule.indexOf("/") + 1);
  return projectRules.find((r) => r.name === name)?.description ?? `camunda-gitops check ${name}`;
}
