import { defineRule, is } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "dmn-output-names",
  appliesTo: "dmn",
  consequence: "deploy",
  description: "With more than one output, every output needs a name and the names must be unique.",
  create: () => (node, reporter) => {
    if (!is(node, "dmn:DecisionTable")) return undefined;
    const outputs: Array<{ id: string; name?: string }> = node.output ?? [];
    if (outputs.length < 2) return undefined;
    const seen = new Set<string>();
    for (const output of outputs) {
      const name = output.name?.trim() ?? "";
      if (name === "") {
        reporter.report(
          output.id,
          "output has no name: with several outputs the engine cannot tell the results apart; name it",
        );
      } else if (seen.has(name)) {
        reporter.report(
          output.id,
          `output name "${name}" is used twice: one result would overwrite the other; rename it`,
        );
      }
      seen.add(name);
    }
    return undefined;
  },
});
