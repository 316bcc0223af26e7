import { defineRule, idOf, is } from "#core/lint/plugin/helpers.js";
import { checkJuelCondition } from "#core/lint/syntax/juel.js";

export default defineRule({
  name: "juel-condition",
  appliesTo: "bpmn",
  description: `Sequence flow and conditional event conditions must be one well-formed JUEL expression (\${…})`,
  create: () => (node, reporter) => {
    let condition: { body?: string; language?: string; resource?: string } | undefined;
    if (is(node, "bpmn:SequenceFlow")) condition = node.conditionExpression;
    else if (is(node, "bpmn:ConditionalEventDefinition")) condition = node.condition;
    if (!condition) return undefined;
    // Script conditions (language="groovy", camunda:resource=…) are not JUEL.
    if ((condition.language && !/^juel$/i.test(condition.language)) || condition.resource) return undefined;
    const problem = checkJuelCondition(condition.body ?? "");
    if (problem) {
      const owner = is(node, "bpmn:ConditionalEventDefinition") ? node.$parent : node;
      reporter.report(idOf(owner), `invalid condition "${(condition.body ?? "").trim()}": ${problem}`);
    }
    return undefined;
  },
});
