// biome-ignore-all lint/suspicious/noTemplateCurlyInString: JUEL syntax in the texts
import { defineRule, engineResult } from "#core/lint/plugin/helpers.js";
import { checkJuel, checkJuelCondition } from "#core/lint/syntax/juel.js";

export default defineRule({
  name: "juel-condition",
  appliesTo: "bpmn",
  consequence: "runtime",
  description:
    "A JUEL condition (sequence flow, conditional event) must be one ${…} expression: literal text around it makes the result a string, and the engine fails when it evaluates the condition.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    for (const expression of engineResult(context)?.context.expressions ?? []) {
      // Syntax errors are the expression-syntax rule's: the engine refuses those at deployment.
      if (expression.what !== "condition" || checkJuel(expression.text) !== null) continue;
      const problem = checkJuelCondition(expression.text);
      if (!problem) continue;
      reporter.report(
        expression.elementId ?? "",
        `condition "${expression.text.trim()}": ${problem}; the engine deploys it and fails when it evaluates it`,
        { line: expression.element.end.line, column: expression.element.end.column },
      );
    }
    return false;
  },
});
