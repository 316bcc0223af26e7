import { defineRule, idOf, is } from "#core/lint/plugin/helpers.js";
import { checkFeel } from "#core/lint/syntax/feel.js";

/**
 * Input entries are FEEL unary tests, output entries and input expressions FEEL expressions (the
 * engine's default language since 7.13). Entries in another language (juel, javascript, …) are skipped.
 * The engine parses FEEL only when it evaluates the decision: a broken entry deploys, then fails.
 */
export default defineRule({
  name: "dmn-feel",
  appliesTo: "dmn",
  consequence: "runtime",
  description: "DMN input and output entries must be valid FEEL.",
  create: () => (node, reporter) => {
    let kind: "unary-tests" | "expression";
    if (is(node, "dmn:UnaryTests")) kind = "unary-tests";
    else if (is(node, "dmn:LiteralExpression")) kind = "expression";
    else return undefined;
    const language: string | undefined = node.expressionLanguage;
    if (language && !/feel/i.test(language)) return undefined;
    const problem = checkFeel(node.text ?? "", kind);
    if (!problem) return undefined;
    reporter.report(
      idOf(node),
      `${problem.message}: the decision deploys, and every evaluation that reaches this entry fails`,
    );
    return undefined;
  },
});
