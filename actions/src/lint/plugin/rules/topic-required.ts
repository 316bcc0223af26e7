import { defineRule, idOf, isAny } from "#core/lint/plugin/helpers.js";

/** Elements that take camunda:type="external" (moddle's camunda:ServiceTaskLike). */
export const EXTERNAL_TASK_TYPES = [
  "bpmn:ServiceTask",
  "bpmn:SendTask",
  "bpmn:BusinessRuleTask",
  "bpmn:MessageEventDefinition",
] as const;

export default defineRule({
  name: "topic-required",
  appliesTo: "bpmn",
  description: 'An external task (camunda:type="external") must name the camunda:topic a worker fetches.',
  create: () => (node, reporter) => {
    if (!isAny(node, EXTERNAL_TASK_TYPES) || node.type !== "external") return undefined;
    if (typeof node.topic === "string" && node.topic.trim() !== "") return undefined;
    // Report on the event, not its definition, for message events.
    const owner = node.$type === "bpmn:MessageEventDefinition" ? node.$parent : node;
    reporter.report(
      idOf(owner),
      "external task without camunda:topic: the engine refuses to deploy it; set camunda:topic to a topic from the worker registry",
    );
    return undefined;
  },
});
