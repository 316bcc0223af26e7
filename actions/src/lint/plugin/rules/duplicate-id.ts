import { BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, descendants, type XmlElement } from "#core/lint/engine/xml.js";
import { defineRule } from "#core/lint/plugin/helpers.js";

/** Namespaces whose schemas declare `id` as an XML ID, which the engine's schema validation keeps unique. */
const VALIDATED = new Set([BPMN_NS, BPMNDI_NS, DC_NS, DI_NS]);

export default defineRule({
  name: "duplicate-id",
  appliesTo: "both",
  consequence: "deploy",
  description:
    "Element ids must be unique within a file: the engine's schema validation refuses the file (extension elements such as camunda:formProperty are not counted).",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    const tree = context.file.tree;
    if (tree) {
      const seen = new Map<string, XmlElement>();
      for (const element of [tree, ...descendants(tree)]) {
        if (!VALIDATED.has(element.uri)) continue;
        const id = element.attributes.find((a) => a.uri === "" && a.name === "id")?.value.trim();
        if (id === undefined) continue;
        const first = seen.get(id);
        if (!first) {
          seen.set(id, element);
          continue;
        }
        reporter.report(
          id,
          `id "${id}" is already used on line ${first.start.line}: ids must be unique; rename one`,
          {
            line: element.end.line,
            column: element.end.column,
          },
        );
      }
      return false;
    }
    for (const [id, positions] of context.file.sourceMap.ids) {
      for (const position of positions.slice(1)) {
        reporter.report(
          id,
          `id "${id}" is already used on line ${positions[0]?.line}: ids must be unique; rename one`,
          {
            line: position.line,
            column: position.column,
          },
        );
      }
    }
    return false;
  },
});
