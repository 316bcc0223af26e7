import type { ModdleElement } from "#core/lint/parse.js";
import { defineRule, engineResult, is, reportEngineFinding } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "undefined-reference",
  appliesTo: "both",
  consequence: "deploy",
  description:
    "Message and signal references of events, a boundary event's attachedToRef, an error end event's error (with its errorCode) and DMN decision requirements must point at defined elements.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    if (context.file.kind === "bpmn") {
      // The engine resolves references itself: `tns:msg` through the target namespace, an errorRef
      // without an <error> as the error code. Only what it refuses is reported.
      for (const finding of engineResult(context)?.findings ?? []) {
        if (finding.rule === "undefined-reference") reportEngineFinding(reporter, finding);
      }
      return false;
    }
    if (is(node, "dmn:Definitions")) checkRequirements(node, reporter);
    return false;
  },
});

function checkRequirements(
  definitions: ModdleElement,
  reporter: { report(id: string, message: string): void },
): void {
  const decisions = new Set<string>();
  for (const element of definitions.drgElement ?? []) if (element.id) decisions.add(element.id);
  for (const element of definitions.drgElement ?? []) {
    for (const requirement of element.informationRequirement ?? []) {
      const href: string | undefined = requirement.requiredDecision?.href ?? requirement.requiredInput?.href;
      if (!href) continue;
      const target = href.replace(/^#/, "");
      if (!decisions.has(target)) {
        reporter.report(
          element.id,
          `requirement points at "${target}", which is not defined in this file: the engine refuses the decisions; fix the href`,
        );
      }
    }
  }
}
