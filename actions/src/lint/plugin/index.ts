import type { ProjectRule } from "./helpers.js";
import calledElementExists from "./rules/called-element-exists.js";
import { codePolicyRules } from "./rules/code-policy.js";
import decisionRefExists from "./rules/decision-ref-exists.js";
import dmnEntryCount from "./rules/dmn-entry-count.js";
import dmnFeel from "./rules/dmn-feel.js";
import dmnHitPolicy from "./rules/dmn-hit-policy.js";
import dmnOutputNames from "./rules/dmn-output-names.js";
import dmnRequirementCycle from "./rules/dmn-requirement-cycle.js";
import dmnTypeRef from "./rules/dmn-type-ref.js";
import duplicateId from "./rules/duplicate-id.js";
import engineClasspath from "./rules/engine-classpath.js";
import { engineRules } from "./rules/engine-rules.js";
import executableProcess from "./rules/executable-process.js";
import expressionSyntax from "./rules/expression-syntax.js";
import formReference from "./rules/form-reference.js";
import historyTtl from "./rules/history-ttl.js";
import juelCondition from "./rules/juel-condition.js";
import topicRegistered from "./rules/topic-registered.js";
import undefinedReference from "./rules/undefined-reference.js";
import unusedTopic from "./rules/unused-topic.js";

/** The plugin's name as bpmnlint configs spell it: `plugin:camunda-gitops/recommended`. */
export const PLUGIN_NAME = "camunda-gitops";
export const PLUGIN_PACKAGE = `bpmnlint-plugin-${PLUGIN_NAME}`;

export const projectRules: readonly ProjectRule[] = [
  ...engineRules,
  historyTtl,
  undefinedReference,
  duplicateId,
  expressionSyntax,
  engineClasspath,
  topicRegistered,
  unusedTopic,
  decisionRefExists,
  calledElementExists,
  formReference,
  juelCondition,
  executableProcess,
  ...codePolicyRules,
  dmnHitPolicy,
  dmnEntryCount,
  dmnOutputNames,
  dmnTypeRef,
  dmnRequirementCycle,
  dmnFeel,
];

export const rulesByName: ReadonlyMap<string, ProjectRule> = new Map(
  projectRules.map((rule) => [rule.name, rule]),
);

/**
 * bpmnlint rules that the pack's engine-faithful rules replace: where they overlap, bpmnlint judges by
 * BPMN's own rules (and misses or misjudges what Camunda 7.23 does), the pack by the engine's parser.
 */
export const REPLACED_BPMNLINT_RULES = [
  "conditional-event",
  "event-based-gateway",
  "event-sub-process-typed-start-event",
  "link-event",
  "single-blank-start-event",
  "start-event-required",
  "sub-process-blank-start-event",
];

/**
 * The pack's preset. Severities follow each rule's consequence (deploy, runtime and policy findings
 * are errors, style findings warnings) unless a configuration names the rule in its own `rules`.
 */
export const configs = {
  recommended: {
    rules: {
      ...Object.fromEntries(projectRules.map((rule) => [rule.name, "error"])),
      ...Object.fromEntries(REPLACED_BPMNLINT_RULES.map((name) => [name, "off"])),
    },
  },
};
