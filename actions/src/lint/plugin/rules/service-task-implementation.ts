import { defineRule, idOf, is, isAny } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "service-task-implementation",
  appliesTo: "bpmn",
  description:
    "Service, send and business rule tasks need an implementation (class, expression, delegateExpression, external topic, connector or, for business rule tasks, a decisionRef).",
  create: () => (node, reporter) => {
    if (!isAny(node, ["bpmn:ServiceTask", "bpmn:SendTask", "bpmn:BusinessRuleTask"])) return undefined;
    if (node.class || node.expression || node.delegateExpression || node.type) return undefined;
    if (is(node, "bpmn:BusinessRuleTask") && node.decisionRef) return undefined;
    const hasConnector = (node.extensionElements?.values ?? []).some((value: unknown) =>
      is(value, "camunda:Connector"),
    );
    if (hasConnector) return undefined;
    reporter.report(
      idOf(node),
      `${node.$type.replace("bpmn:", "")} has no implementation: the engine refuses to deploy it; set camunda:type="external" with a camunda:topic (or a class, expression or delegateExpression)`,
    );
    return undefined;
  },
});
