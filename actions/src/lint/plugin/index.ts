import type { ProjectRule } from "./helpers.js";
import calledElementExists from "./rules/called-element-exists.js";
import decisionRefExists from "./rules/decision-ref-exists.js";
import dmnEntryCount from "./rules/dmn-entry-count.js";
import dmnFeel from "./rules/dmn-feel.js";
import dmnHitPolicy from "./rules/dmn-hit-policy.js";
import dmnOutputNames from "./rules/dmn-output-names.js";
import dmnRequirementCycle from "./rules/dmn-requirement-cycle.js";
import dmnTypeRef from "./rules/dmn-type-ref.js";
import duplicateId from "./rules/duplicate-id.js";
import executableProcess from "./rules/executable-process.js";
import gatewayFlowConditions from "./rules/gateway-flow-conditions.js";
import historyTtl from "./rules/history-ttl.js";
import juelCondition from "./rules/juel-condition.js";
import serviceTaskImplementation from "./rules/service-task-implementation.js";
import timerDefinition from "./rules/timer-definition.js";
import topicRegistered from "./rules/topic-registered.js";
import topicRequired from "./rules/topic-required.js";
import undefinedReference from "./rules/undefined-reference.js";
import unusedTopic from "./rules/unused-topic.js";

/** The plugin's name as bpmnlint configs spell it: `plugin:camunda-gitops/recommended`. */
export const PLUGIN_NAME = "camunda-gitops";
export const PLUGIN_PACKAGE = `bpmnlint-plugin-${PLUGIN_NAME}`;

export const projectRules: readonly ProjectRule[] = [
  topicRequired,
  topicRegistered,
  unusedTopic,
  serviceTaskImplementation,
  decisionRefExists,
  calledElementExists,
  gatewayFlowConditions,
  juelCondition,
  historyTtl,
  timerDefinition,
  undefinedReference,
  duplicateId,
  executableProcess,
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

/** Severities of the pack: errors for what the engine rejects, warnings for what it mishandles. */
const warnings = new Set(["unused-topic", "dmn-type-ref"]);

export const configs = {
  recommended: {
    rules: Object.fromEntries(
      projectRules.map((rule) => [rule.name, warnings.has(rule.name) ? "warn" : "error"]),
    ),
  },
};
