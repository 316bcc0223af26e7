import type { ModdleElement } from "#core/lint/parse.js";
import { defineRule, idOf, is } from "#core/lint/plugin/helpers.js";

const CATCHING = ["bpmn:StartEvent", "bpmn:IntermediateCatchEvent", "bpmn:BoundaryEvent"];

/** Which element type each reference must point at. */
const REFERENCES = [
  {
    definition: "bpmn:MessageEventDefinition",
    property: "messageRef",
    target: "bpmn:Message",
    label: "message",
  },
  { definition: "bpmn:SignalEventDefinition", property: "signalRef", target: "bpmn:Signal", label: "signal" },
  { definition: "bpmn:ErrorEventDefinition", property: "errorRef", target: "bpmn:Error", label: "error" },
  {
    definition: "bpmn:EscalationEventDefinition",
    property: "escalationRef",
    target: "bpmn:Escalation",
    label: "escalation",
  },
  { definition: "bpmn:ReceiveTask", property: "messageRef", target: "bpmn:Message", label: "message" },
] as const;

export default defineRule({
  name: "undefined-reference",
  appliesTo: "both",
  description:
    "Message, signal, error and escalation references (and DMN decision requirements) must point at defined elements of the right type.",
  create: (_config, context) => (node, reporter) => {
    // References moddle could not resolve are reported once, from the root.
    if (node === context.file.root) {
      for (const warning of context.file.importWarnings) {
        if (warning.kind !== "unresolved-reference") continue;
        reporter.report(
          warning.elementId ?? "",
          `${warning.message}: the engine refuses to deploy it; define "${warning.reference}" or fix the reference`,
        );
      }
      if (is(node, "dmn:Definitions")) checkRequirements(node, reporter);
      return undefined;
    }
    for (const reference of REFERENCES) {
      if (!is(node, reference.definition)) continue;
      const owner = is(node, "bpmn:EventDefinition") ? node.$parent : node;
      const target = node[reference.property];
      if (target && !is(target, reference.target)) {
        reporter.report(
          idOf(owner),
          `${reference.property} "${target.id}" is a ${String(target.$type).replace("bpmn:", "")}, not a ${reference.label}`,
        );
      } else if (target && (reference.label === "message" || reference.label === "signal") && !target.name) {
        reporter.report(
          idOf(owner),
          `${reference.label} "${target.id}" has no name: the engine correlates by name; give it one`,
        );
      } else if (
        !target &&
        reference.label !== "error" &&
        reference.label !== "escalation" &&
        needsReference(node, owner) &&
        // An unresolved reference is already reported above, from the root.
        !context.file.importWarnings.some(
          (w) => w.kind === "unresolved-reference" && w.elementId === owner.id,
        )
      ) {
        reporter.report(
          idOf(owner),
          `${reference.label} event without a ${reference.property}: the engine refuses to deploy it; reference a ${reference.label}`,
        );
      }
    }
    return undefined;
  },
});

/** Catching message and all signal events need their reference; throwing message events may be external tasks. */
function needsReference(definition: { $type: string }, owner: { $type: string }): boolean {
  if (definition.$type === "bpmn:ReceiveTask") return false;
  if (definition.$type === "bpmn:SignalEventDefinition") return true;
  return CATCHING.includes(owner.$type);
}

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
          `requirement points at "${target}", which is not defined in this file; fix the href`,
        );
      }
    }
  }
}
