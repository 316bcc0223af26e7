import { defineRule, idOf, is, isExpression } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "decision-ref-exists",
  appliesTo: "bpmn",
  consequence: "runtime",
  description: "camunda:decisionRef must name a decision defined in the repository's DMN files.",
  create: (_config, context) => (node, reporter) => {
    if (!is(node, "bpmn:BusinessRuleTask")) return undefined;
    const ref = typeof node.decisionRef === "string" ? node.decisionRef.trim() : "";
    if (ref === "" || isExpression(ref) || context.index.decisionIds.has(ref)) return undefined;
    reporter.report(
      idOf(node),
      `camunda:decisionRef "${ref}" names no decision in the repository's DMN files: the task would fail at run time; add the DMN or fix the id`,
    );
    return undefined;
  },
});
