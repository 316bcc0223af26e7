/** Severity of a finding, as in the JSON and SARIF outputs. */
export type Severity = "error" | "warning" | "info";

/**
 * What happens if the finding ships: `deploy` the engine rejects the deployment; `runtime` it deploys,
 * then fails or misbehaves when that part of the model is reached; `policy` it breaks this repository's
 * rules or the security policy; `style` it only hurts readability in the Modeler.
 */
export type Consequence = "deploy" | "runtime" | "policy" | "style";

export const CONSEQUENCES: readonly Consequence[] = ["deploy", "runtime", "policy", "style"];

/**
 * One lint finding. This shape is the `--format json` contract other tools rely on:
 * add fields only at the end, never rename or remove one.
 */
export interface Finding {
  /** Path relative to the repository root, forward slashes. */
  file: string;
  /** 1-based line; 1 when the finding concerns the whole file. */
  line: number;
  /** 1-based column. */
  column: number;
  /** The BPMN/DMN element id, or null when the finding is not about one element. */
  elementId: string | null;
  /** Rule name: bpmnlint's own (`conditional-flows`) or the project's (`camunda-gitops/topic-required`). */
  rule: string;
  severity: Severity;
  consequence: Consequence;
  message: string;
}

/** A finding that a suppression (XML comment or config entry) silenced, with the reason given. */
export interface Suppressed extends Finding {
  reason: string;
  /** Where the suppression was written: `file.bpmn:12` for a comment, `.bpmnlintrc` for a config entry. */
  suppressedBy: string;
}

export interface FileSummary {
  file: string;
  errors: number;
  warnings: number;
  infos: number;
  suppressed: number;
}

export interface LintSummary {
  files: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Findings per consequence: what would happen if the models shipped as they are. */
  consequences: Record<Consequence, number>;
  /** Every silenced finding with its reason, so a reviewer sees what was waived and why. */
  suppressed: Suppressed[];
  perFile: FileSummary[];
}

export interface LintReport {
  findings: Finding[];
  summary: LintSummary;
}

export type FileKind = "bpmn" | "dmn";
