import type { Consequence, Severity } from "./types.js";

/**
 * What each of bpmnlint's rules means for a Camunda 7.23 engine. None of them decides deployability:
 * where the engine does reject a model, a project rule that follows the engine's parser reports it
 * (and the pack's `recommended` config turns the overlapping bpmnlint rule off).
 */
export const BPMNLINT_CONSEQUENCES: Readonly<Record<string, Consequence>> = {
  "ad-hoc-sub-process": "runtime",
  "conditional-event": "style",
  "conditional-flows": "style",
  "end-event-required": "style",
  "event-based-gateway": "style",
  "event-sub-process-typed-start-event": "style",
  "fake-join": "style",
  global: "style",
  "label-required": "style",
  "link-event": "style",
  "no-bpmndi": "style",
  "no-complex-gateway": "runtime",
  "no-disconnected": "style",
  "no-duplicate-sequence-flows": "style",
  "no-gateway-join-fork": "style",
  "no-implicit-end": "style",
  "no-implicit-split": "style",
  "no-implicit-start": "style",
  "no-inclusive-gateway": "style",
  "no-overlapping-elements": "style",
  "single-blank-start-event": "style",
  "single-event-definition": "runtime",
  "standard-size": "style",
  "start-event-required": "style",
  "sub-process-blank-start-event": "style",
  "superfluous-gateway": "style",
  "superfluous-label": "style",
  "superfluous-termination": "style",
};

/** Findings the linter itself produces (not from a configured rule), by rule name without the plugin prefix. */
export const BUILT_IN_CONSEQUENCES: Readonly<Record<string, Consequence>> = {
  // The engine's XML parser refuses these before any BPMN rule runs.
  "not-xml": "deploy",
  doctype: "deploy",
  "empty-file": "deploy",
  "binary-file": "deploy",
  encoding: "deploy",
  "wrong-root": "deploy",
  "too-many-attributes": "deploy",
  // A Camunda Form the engine refuses (not JSON, a second form with one id) or cannot find (no id).
  "form-file": "deploy",
  // The repository's own limits and bookkeeping.
  "file-too-large": "policy",
  unreadable: "policy",
  suppression: "policy",
  "topic-registry": "policy",
  "rule-error": "policy",
  "too-many-findings": "policy",
  "modeler-compat": "style",
};

/** Severity when the configuration does not name the rule itself: what ships broken is an error. */
export function defaultSeverity(consequence: Consequence): Severity {
  return consequence === "style" ? "warning" : "error";
}

export function builtInConsequence(rule: string): Consequence {
  return BUILT_IN_CONSEQUENCES[rule.slice(rule.indexOf("/") + 1)] ?? "policy";
}
