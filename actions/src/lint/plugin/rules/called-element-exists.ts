import { camundaProperty, defineRule, idOf, is, isExpression } from "#core/lint/plugin/helpers.js";

/**
 * Config: `{ "external": ["processKey", …] }` lists processes deployed from elsewhere; a call activity
 * can also say so itself with the extension property `external` = `true`.
 */
export default defineRule({
  name: "called-element-exists",
  appliesTo: "bpmn",
  consequence: "runtime",
  description:
    "A call activity's calledElement must name a process in the repository, unless marked external.",
  create: (config, context) => {
    const external = new Set(Array.isArray(config.external) ? config.external.map(String) : []);
    return (node, reporter) => {
      if (!is(node, "bpmn:CallActivity")) return undefined;
      const ref = typeof node.calledElement === "string" ? node.calledElement.trim() : "";
      if (ref === "" || isExpression(ref) || external.has(ref)) return undefined;
      if (context.index.processIds.has(ref) || camundaProperty(node, "external") === "true") return undefined;
      reporter.report(
        idOf(node),
        `calledElement "${ref}" names no process in the repository: the call would fail at run time; add the process, fix the id, or mark it external (extension property external=true)`,
      );
      return undefined;
    };
  },
});
