import type { ModdleElement } from "../../parse.js";
import { defineRule, is, isAny } from "../helpers.js";

export default defineRule({
  name: "gateway-flow-conditions",
  appliesTo: "bpmn",
  description:
    "Every outgoing flow of a forking exclusive or inclusive gateway needs a condition, unless it is the default flow.",
  create: () => (node, reporter) => {
    if (!isAny(node, ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"])) return undefined;
    // Files written by hand may omit <outgoing>; the flows' sourceRef is what the engine follows.
    const siblings: ModdleElement[] = node.$parent?.flowElements ?? [];
    const outgoing: Array<{ id: string; conditionExpression?: unknown }> = siblings.filter(
      (element) => is(element, "bpmn:SequenceFlow") && element.sourceRef === node,
    );
    if (outgoing.length < 2) return undefined;
    for (const flow of outgoing) {
      if (flow.conditionExpression || node.default === flow) continue;
      reporter.report(
        flow.id,
        `sequence flow leaves gateway "${node.id}" without a condition and is not its default flow: the engine takes it whenever it is reached first; add a condition or make it the default`,
      );
    }
    return undefined;
  },
});
