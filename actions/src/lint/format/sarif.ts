import { projectRules } from "#core/lint/plugin/index.js";
import type { Finding, LintReport, Suppressed } from "#core/lint/types.js";

const LEVEL: Record<Finding["severity"], "error" | "warning" | "note"> = {
  error: "error",
  warning: "warning",
  info: "note",
};

const BPMNLINT_DOCS = "https://github.com/bpmn-io/bpmnlint/blob/main/docs/rules";

function describe(rule: string): { text: string; helpUri?: string } {
  if (!rule.includes("/")) return { text: `bpmnlint rule ${rule}`, helpUri: `${BPMNLINT_DOCS}/${rule}.md` };
  const own = projectRules.find((r) => `camunda-gitops/${r.name}` === rule);
  return { text: own?.description ?? `camunda-gitops check ${rule.replace("camunda-gitops/", "")}` };
}

/** SARIF 2.1.0 for GitHub code scanning; suppressed findings are included as suppressed results. */
export function formatSarif(report: LintReport, version: string): string {
  const all: Array<Finding | Suppressed> = [...report.findings, ...report.summary.suppressed];
  const ruleIds = [...new Set(all.map((f) => f.rule))].sort();
  const rules = ruleIds.map((id) => {
    const { text, helpUri } = describe(id);
    return { id, shortDescription: { text }, ...(helpUri ? { helpUri } : {}) };
  });
  const results = all.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIds.indexOf(f.rule),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: f.file, uriBaseId: "%SRCROOT%" },
          region: { startLine: f.line, startColumn: f.column },
        },
        ...(f.elementId ? { logicalLocations: [{ name: f.elementId, kind: "element" }] } : {}),
      },
    ],
    partialFingerprints: { elementRule: `${f.file}#${f.elementId ?? ""}#${f.rule}` },
    ...("reason" in f ? { suppressions: [{ kind: "inSource", justification: f.reason }] } : {}),
  }));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "camunda-gitops-lint",
            version,
            informationUri: "https://github.com/bpmn-io/bpmnlint",
            rules,
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "The repository root." } } },
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
