/** Sequence flows and associations of a scope, and conditions, as the engine connects and compiles them. */

import { parseActivity } from "./activities.js";
import { findAtLevel, findDeep, resolveName } from "./bpmn-parse.js";
import type { Activity, Flow, ParseContext, Scope } from "./context.js";
import { parseExecutionListeners } from "./extensions.js";
import { attr, BPMN_NS, camundaAttr, child, children, type XmlElement, XSI_NS } from "./xml.js";

export function parseSequenceFlows(
  ctx: ParseContext,
  element: XmlElement,
  scope: Scope,
  compensationHandlers: Map<string | undefined, XmlElement>,
): void {
  for (const flow of children(element, "sequenceFlow")) {
    const id = attr(flow, "id") ?? null;
    const sourceRef = attr(flow, "sourceRef");
    let targetRef = attr(flow, "targetRef");
    const linkName = targetRef === undefined ? undefined : ctx.linkSources.get(targetRef);
    if (targetRef !== undefined && ctx.linkSources.has(targetRef)) {
      targetRef = linkName === undefined ? undefined : ctx.linkTargets.get(linkName);
      if (targetRef === undefined) {
        ctx.error(
          "sequence-flows",
          `sequence flow leads to the link event "${linkName}", but no intermediate catch link event has that name`,
          flow,
        );
        // The engine stops reading the scope's flows here.
        return;
      }
    }
    const source = findAtLevel(scope, sourceRef);
    const target = findAtLevel(scope, targetRef);
    const isHandler = (ref: string | undefined, activity: Activity | undefined) =>
      (!activity && compensationHandlers.has(ref)) || activity?.isCompensationHandler === true;
    if (isHandler(sourceRef, source)) {
      ctx.error(
        "compensation",
        `sequence flow leaves the compensation activity "${sourceRef}": a compensation activity has no incoming or outgoing flows`,
        flow,
        sourceRef,
      );
    } else if (isHandler(targetRef, target)) {
      ctx.error(
        "compensation",
        `sequence flow enters the compensation activity "${targetRef}": a compensation activity has no incoming or outgoing flows`,
        flow,
        targetRef,
      );
    } else if (!source) {
      ctx.error(
        "sequence-flows",
        `sequence flow source "${sourceRef ?? ""}" is not an activity of the same scope`,
        flow,
      );
    } else if (!target) {
      ctx.error(
        "sequence-flows",
        `sequence flow target "${targetRef ?? ""}" is not an activity of the same scope`,
        flow,
      );
    } else if (source.behavior === "eventBasedGateway") {
      // The gateway's flows are read when the gateway is parsed.
    } else if (target.afterEventGateway) {
      ctx.error(
        "gateways",
        `intermediate catch event "${target.id}" follows an event-based gateway and cannot have other incoming flows`,
        flow,
      );
    } else if (source.triggeredByEvent && source.type === "subProcess") {
      ctx.error("sequence-flows", "an event sub-process has no outgoing sequence flows", flow);
    } else if (target.triggeredByEvent && target.type === "subProcess") {
      ctx.error("sequence-flows", "an event sub-process has no incoming sequence flows", flow);
    } else {
      const transition: Flow = { id, element: flow, hasCondition: false };
      source.outgoing.push(transition);
      if (id !== null) ctx.sequenceFlows.add(id);
      const condition = child(flow, "conditionExpression");
      if (condition) transition.hasCondition = parseCondition(ctx, condition, id);
      parseExecutionListeners(ctx, flow, true);
    }
  }
}

/** A condition (sequence flow or conditional event): JUEL, or a script in another language. */
export function parseCondition(ctx: ParseContext, condition: XmlElement, ownerId: string | null): boolean {
  const text = condition.text.trim();
  const type = condition.attributes.find((a) => a.uri === XSI_NS && a.local === "type")?.value;
  if (type !== undefined) {
    const resolved = type.includes(":") ? resolveName(ctx, type) : `${BPMN_NS}:${type}`;
    if (resolved !== `${BPMN_NS}:tFormalExpression`) {
      ctx.error(
        "attribute-values",
        `condition xsi:type "${type}" is not tFormalExpression`,
        condition,
        ownerId,
      );
    }
  }
  const language = attr(condition, "language");
  if (language === undefined) {
    ctx.expression(text, condition, "condition", ownerId);
    return true;
  }
  const resource = camundaAttr(condition, "resource");
  if (language === "") {
    ctx.error("attribute-values", "condition has an empty language", condition, ownerId);
    return false;
  }
  const juel = language.toLowerCase() === "juel";
  if (resource !== undefined && resource !== "") {
    if (!juel && /[$#]\{/.test(resource)) ctx.expression(resource, condition, "condition resource", ownerId);
    ctx.script(condition, language, null, resource, "condition", ownerId);
  } else if (juel) {
    ctx.expression(text, condition, "condition", ownerId, false);
  } else {
    if (/[$#]\{/.test(text)) ctx.expression(text, condition, "condition source", ownerId);
    ctx.script(condition, language, text, null, "condition", ownerId);
  }
  return true;
}

export function parseAssociations(
  ctx: ParseContext,
  element: XmlElement,
  scope: Scope,
  compensationHandlers: Map<string | undefined, XmlElement>,
): void {
  for (const association of children(element, "association")) {
    const sourceRef = attr(association, "sourceRef");
    const targetRef = attr(association, "targetRef");
    if (sourceRef === undefined) ctx.error("sequence-flows", "association has no sourceRef", association);
    if (targetRef === undefined) ctx.error("sequence-flows", "association has no targetRef", association);
    const source = findDeep(scope, sourceRef);
    let target = findDeep(scope, targetRef);
    if (!source && !ctx.definitions.ids.has(sourceRef ?? "\u0000")) {
      ctx.error("sequence-flows", `association source "${sourceRef}" does not exist`, association);
      continue;
    }
    if (!target && !ctx.definitions.ids.has(targetRef ?? "\u0000")) {
      ctx.error("sequence-flows", `association target "${targetRef}" does not exist`, association);
      continue;
    }
    if (source?.type !== "compensationBoundaryCatch") continue;
    if (!target && compensationHandlers.has(targetRef)) {
      const handler = compensationHandlers.get(targetRef) as XmlElement;
      target = parseActivity(ctx, handler, null, scope) ?? undefined;
      compensationHandlers.delete(targetRef);
    }
    if (!target) continue;
    if (!target.isCompensationHandler) {
      ctx.error(
        "compensation",
        `compensation boundary event "${source.id}" is associated with "${target.id}", which is not marked isForCompensation="true"`,
        association,
        source.id,
      );
      continue;
    }
    const compensated = source.eventScope as Activity | null;
    if (compensated?.compensationHandler?.subProcess) {
      ctx.error(
        "compensation",
        "a compensation boundary event and an event sub-process with a compensation start event cannot share a scope",
        association,
        compensated?.id ?? null,
      );
    } else if (compensated) {
      compensated.compensationHandler = { id: target.id ?? "", subProcess: false };
    }
  }
}
