import { defineRule, is } from "#core/lint/plugin/helpers.js";

/** Types the Camunda 7 DMN engine converts values to; anything else passes values through untyped. */
const KNOWN = new Set(["string", "boolean", "integer", "long", "double", "date"]);

export default defineRule({
  name: "dmn-type-ref",
  appliesTo: "dmn",
  consequence: "runtime",
  description:
    "typeRef values must be types the Camunda 7 DMN engine knows (string, boolean, integer, long, double, date).",
  create: () => (node, reporter) => {
    if (
      !is(node, "dmn:LiteralExpression") &&
      !is(node, "dmn:OutputClause") &&
      !is(node, "dmn:InformationItem")
    ) {
      return undefined;
    }
    const typeRef: unknown = node.typeRef;
    if (typeof typeRef !== "string" || typeRef.trim() === "" || KNOWN.has(typeRef.trim())) return undefined;
    const owner = node.id ? node : node.$parent;
    reporter.report(
      owner?.id ?? "",
      `typeRef "${typeRef}" is not a type the engine knows, so values are passed through unchecked; use string, boolean, integer, long, double or date`,
      // Unchecked values break only some comparisons: a warning, not a certain failure.
      { severity: "warning" },
    );
    return undefined;
  },
});
