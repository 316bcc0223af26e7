/** Gateways: the exclusive gateway's flow rules and the event-based gateway's targets. */
import { parseIntermediateCatchEvent } from "./catch-events.js";
import type { Activity, ParseContext, Scope } from "./context.js";
import { parseExecutionListeners } from "./extensions.js";
import { attr, children, type XmlElement } from "./xml.js";

export function parseEventBasedGateway(
  ctx: ParseContext,
  element: XmlElement,
  parent: XmlElement | null,
  scope: Scope,
  gateway: Activity,
): void {
  if (gateway.asyncAfter) ctx.error("gateways", "an event-based gateway cannot be asyncAfter", element);
  parseExecutionListeners(ctx, element, false);
  if (!parent) return;
  const siblings = new Map<string | undefined, XmlElement>();
  for (const sibling of parent.children) siblings.set(attr(sibling, "id"), sibling);
  for (const flow of children(parent, "sequenceFlow")) {
    if (attr(flow, "sourceRef") !== gateway.id) continue;
    const target = siblings.get(attr(flow, "targetRef"));
    if (!target) continue;
    if (target.tag === "intermediateCatchEvent") parseIntermediateCatchEvent(ctx, target, scope, gateway);
    else {
      ctx.error(
        "gateways",
        `event-based gateway leads to "${attr(target, "id")}", a ${target.tag}; it may only lead to intermediate catch events`,
        element,
      );
    }
  }
}

/** The engine's rules for an exclusive gateway's outgoing flows, checked once the process is parsed. */
export function validateExclusiveGateway(ctx: ParseContext, gateway: Activity): void {
  const outgoing = gateway.outgoing;
  const id = gateway.id;
  if (outgoing.length === 0) {
    ctx.error("gateways", `exclusive gateway "${id}" has no outgoing sequence flow`, gateway.element, id);
    return;
  }
  if (outgoing.length === 1) {
    const [only] = outgoing;
    if (only?.hasCondition) {
      ctx.error(
        "gateways",
        `exclusive gateway "${id}" has one outgoing flow ("${only.id}"), which must not have a condition`,
        gateway.element,
        id,
      );
    }
    return;
  }
  const defaultFlow = attr(gateway.element, "default");
  const hasDefault = defaultFlow !== undefined && defaultFlow !== "";
  const unconditioned = [];
  for (const flow of outgoing) {
    const isDefault = flow.id !== null && flow.id === defaultFlow;
    if (!flow.hasCondition && !isDefault) unconditioned.push(flow);
    if (flow.hasCondition && isDefault) {
      ctx.error(
        "gateways",
        `sequence flow "${flow.id}" is the default flow of exclusive gateway "${id}" and has a condition; remove the condition`,
        gateway.element,
        id,
      );
    }
  }
  if (hasDefault || unconditioned.length > 1) {
    for (const flow of unconditioned) {
      ctx.error(
        "gateways",
        `sequence flow "${flow.id}" leaves exclusive gateway "${id}" without a condition and is not its default flow; add a condition${hasDefault ? "" : " or make it the default"}`,
        gateway.element,
        id,
      );
    }
  } else if (unconditioned.length === 1) {
    const [flow] = unconditioned;
    ctx.findings.push({
      rule: "gateway-flow-conditions",
      message: `sequence flow "${flow?.id}" leaves exclusive gateway "${id}" without a condition: the engine takes it as the default flow; mark it as the default so the diagram says so`,
      element: flow?.element ?? gateway.element,
      elementId: flow?.id ?? id,
      consequence: "style",
    });
  }
}
