import type { ModdleElement } from "#core/lint/parse.js";
import { defineRule, is, isAny } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "gateway-flow-conditions",
  appliesTo: "bpmn",
  description:
    "Every outgoing flow of a forking exclusive or inclusive gateway needs a condition, unless it is the default flow.",
  create: () => (node, reporter) => {
    if (!isAny(node, ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"])) return undefined;
    const outgoing = outgoingFlows(node);
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

/** Flows by source, per process, built once: files written by hand may omit <outgoing>, sourceRef is what counts. */
const flowsBySource = new WeakMap<object, Map<unknown, ModdleElement[]>>();

function outgoingFlows(node: ModdleElement): Array<{ id: string; conditionExpression?: unknown }> {
  const container = node.$parent;
  if (!container) return [];
  let index = flowsBySource.get(container);
  if (!index) {
    index = new Map();
    for (const element of container.flowElements ?? []) {
      if (!is(element, "bpmn:SequenceFlow")) continue;
      const list = index.get(element.sourceRef) ?? [];
      list.push(element);
      index.set(element.sourceRef, list);
    }
    flowsBySource.set(container, index);
  }
  return index.get(node) ?? [];
}
