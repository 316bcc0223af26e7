import { defineRule, is } from "#core/lint/plugin/helpers.js";

/** Hit policies the Camunda 7 DMN engine implements (PRIORITY and OUTPUT ORDER are not). */
const SUPPORTED = new Set(["UNIQUE", "FIRST", "ANY", "COLLECT", "RULE ORDER"]);

export default defineRule({
  name: "dmn-hit-policy",
  appliesTo: "dmn",
  consequence: "deploy",
  description:
    "Decision tables may use only the hit policies and aggregations the Camunda 7 engine supports.",
  create: () => (node, reporter) => {
    if (!is(node, "dmn:DecisionTable")) return undefined;
    const hitPolicy = node.hitPolicy ?? "UNIQUE";
    if (!SUPPORTED.has(hitPolicy)) {
      reporter.report(
        node.id,
        `hit policy ${hitPolicy} is not supported by the Camunda 7 engine; use UNIQUE, FIRST, ANY, COLLECT or RULE ORDER`,
      );
    }
    if (node.aggregation && hitPolicy !== "COLLECT") {
      reporter.report(node.id, `aggregation ${node.aggregation} is only allowed with hit policy COLLECT`);
    }
    if (node.aggregation && hitPolicy === "COLLECT" && (node.output ?? []).length > 1) {
      reporter.report(
        node.id,
        `COLLECT with ${node.aggregation} needs exactly one output; the engine cannot aggregate ${(node.output ?? []).length}`,
      );
    }
    return undefined;
  },
});
