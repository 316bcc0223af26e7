import { defineRule, is } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "dmn-entry-count",
  appliesTo: "dmn",
  consequence: "deploy",
  description: "Each rule of a decision table has one input entry per input and one output entry per output.",
  create: () => (node, reporter) => {
    if (!is(node, "dmn:DecisionTable")) return undefined;
    const inputs = (node.input ?? []).length;
    const outputs = (node.output ?? []).length;
    if (outputs === 0) reporter.report(node.id, "decision table has no output; add one");
    for (const rule of node.rule ?? []) {
      const inputEntries = (rule.inputEntry ?? []).length;
      const outputEntries = (rule.outputEntry ?? []).length;
      if (inputEntries !== inputs) {
        reporter.report(
          rule.id,
          `rule has ${inputEntries} input entries for ${inputs} inputs: the engine refuses the table`,
        );
      }
      if (outputEntries !== outputs) {
        reporter.report(
          rule.id,
          `rule has ${outputEntries} output entries for ${outputs} outputs: the engine refuses the table`,
        );
      }
    }
    return undefined;
  },
});
