import type { Finding, LintReport, Suppressed } from "#core/lint/types.js";
import { ruleDescription, ruleDocs } from "./docs.js";

const LEVEL: Record<Finding["severity"], "error" | "warning" | "note"> = {
  error: "error",
  warning: "warning",
  info: "note",
};

/**
 * SARIF 2.1.0 for GitHub code scanning; suppressed findings are included as suppressed results. Each
 * result carries its consequence as a property; `docsBase` (the repository's web address for the
 * commit, ending in "/") makes the project's rule pages absolute links, as SARIF's helpUri must be.
 */
export function formatSarif(report: LintReport, version: string, docsBase?: string): string {
  const all: Array<Finding | Suppressed> = [...report.findings, ...report.summary.suppressed];
  const ruleIds = [...new Set(all.map((f) => f.rule))].sort();
  const rules = ruleIds.map((id) => {
    const text = ruleDescription(id);
    const docs = ruleDocs(id, docsBase);
    const absolute = /^[a-z]+:\/\//.test(docs);
    return {
      id,
      shortDescription: { text },
      ...(absolute ? { helpUri: docs } : {}),
      help: { text: `${text} See ${docs}.`, markdown: `${text} [Rule documentation](${docs})` },
      properties: { consequence: all.find((f) => f.rule === id)?.consequence },
    };
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
    properties: { consequence: f.consequence },
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
