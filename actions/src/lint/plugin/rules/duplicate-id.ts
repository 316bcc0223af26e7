import { defineRule } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "duplicate-id",
  appliesTo: "both",
  description:
    "Element ids must be unique within a file: moddle drops the duplicate and the engine refuses the file.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return undefined;
    for (const [id, positions] of context.file.sourceMap.ids) {
      for (const position of positions.slice(1)) {
        const first = positions[0];
        reporter.report(
          id,
          `id "${id}" is already used on line ${first?.line}: ids must be unique; rename one`,
          {
            line: position.line,
            column: position.column,
          },
        );
      }
    }
    return undefined;
  },
});
