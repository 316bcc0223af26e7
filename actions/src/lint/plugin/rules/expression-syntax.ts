import { defineRule, engineResult } from "#core/lint/plugin/helpers.js";
import { checkJuel } from "#core/lint/syntax/juel.js";

export default defineRule({
  name: "expression-syntax",
  appliesTo: "bpmn",
  consequence: "deploy",
  description:
    "Every expression the engine compiles while it deploys (names, assignees, conditions, timers, topics, mappings, …) must be well-formed JUEL.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    for (const expression of engineResult(context)?.context.expressions ?? []) {
      const problem = checkJuel(expression.text);
      if (!problem) continue;
      const text = expression.text.trim();
      const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
      reporter.report(
        expression.elementId ?? "",
        `${expression.what} "${shown}" is not a valid expression (${problem})${expression.atDeploy ? ": the engine refuses to deploy it" : ": it fails when it runs"}`,
        {
          line: expression.element.end.line,
          column: expression.element.end.column,
          ...(expression.atDeploy ? {} : { consequence: "runtime" }),
        },
      );
    }
    return false;
  },
});
