/** What every activity the engine creates shares, and helpers the event and activity parsers have in common. */

import { findAtLevel } from "./bpmn-parse.js";
import type { Activity, ParseContext, Scope } from "./context.js";
import { parseInputOutput, parsePriority } from "./extensions.js";
import { parseCondition } from "./flows.js";
import { attr, camundaAttr, child, extension, type XmlElement } from "./xml.js";

export function createActivity(
  ctx: ParseContext,
  element: XmlElement,
  scope: Scope,
  type = element.tag,
): Activity {
  const id = attr(element, "id") ?? null;
  const activity: Activity = {
    id,
    element,
    type,
    flowScope: scope,
    eventScope: null,
    scope: null,
    events: null,
    multiInstance: false,
    compensationHandler: null,
    isCompensationHandler: attr(element, "isForCompensation")?.toLowerCase() === "true",
    asyncAfter: camundaAttr(element, "asyncAfter") === "true",
    triggeredByEvent: false,
    behavior: null,
    outgoing: [],
    afterEventGateway: false,
  };
  if (id !== null) scope.activities.set(id, activity);
  parsePriority(ctx, element, "jobPriority");
  return activity;
}

/**
 * Where subscriptions of an event scope are recorded: a sub-process's own scope, or for other
 * activities (a task with boundary events, a catch event, an event-based gateway) a record of its own.
 */
export function ownScope(activity: Activity): Scope {
  if (activity.scope) return activity.scope;
  activity.events ??= {
    id: activity.id,
    element: activity.element,
    kind: "subProcess",
    activity,
    parent: activity.flowScope,
    activities: new Map(),
    subscriptions: [],
    escalationHandlers: [],
    backlog: [],
  };
  return activity.events;
}

export function isServiceTaskLike(element: XmlElement | undefined): boolean {
  if (!element) return false;
  return (
    ["class", "expression", "delegateExpression", "type"].some(
      (name) => camundaAttr(element, name) !== undefined,
    ) ||
    extension(element, "connector") !== undefined ||
    (child(element, "extensionElements")?.children.some((c) => c.tag === "connector") ?? false)
  );
}

export function parseCompensateThrow(
  ctx: ParseContext,
  definition: XmlElement,
  scope: Scope,
  ownerId: string | null,
): void {
  const activityRef = attr(definition, "activityRef");
  if (activityRef === undefined || findAtLevel(scope, activityRef)) return;
  let where = scope;
  if (scope.activity?.triggeredByEvent && scope.parent) where = scope.parent;
  const check = () => {
    if (!findAtLevel(where, activityRef)) {
      ctx.error(
        "compensation",
        `activityRef "${activityRef}" names no activity in the scope "${where.id}"`,
        definition,
        ownerId,
      );
    }
  };
  if (findAtLevel(where, activityRef)) return;
  where.backlog.push(check);
}

export function parseConditionalDefinition(
  ctx: ParseContext,
  definition: XmlElement,
  activity: Activity,
): string | undefined {
  const condition = child(definition, "condition");
  if (!condition) {
    ctx.error("event-definitions", "a conditional event needs a condition", definition, activity.id);
    return undefined;
  }
  parseCondition(ctx, condition, activity.id);
  return condition.text.trim();
}

/** Escalation handlers of one scope: at most one catch-all, and one per code, per kind. */
export function addEscalationHandler(
  ctx: ParseContext,
  scope: Scope,
  handler: { code: string | null; subProcess: boolean },
  element: XmlElement,
  ownerId: string | null,
): void {
  const kind = handler.subProcess ? "escalation event sub-process" : "escalation boundary event";
  for (const existing of scope.escalationHandlers) {
    if (existing.subProcess !== handler.subProcess) continue;
    if (existing.code === null && handler.code === null) {
      ctx.error(
        "escalations",
        `a scope may have only one ${kind} without an escalation code (it catches every escalation)`,
        element,
        ownerId,
      );
    } else if (existing.code === null || handler.code === null) {
      ctx.error(
        "escalations",
        `a scope cannot mix an ${kind} without an escalation code and one with a code`,
        element,
        ownerId,
      );
    } else if (existing.code === handler.code) {
      ctx.error(
        "escalations",
        `two ${kind}s of one scope catch the escalation code "${handler.code}"`,
        element,
        ownerId,
      );
    }
  }
  scope.escalationHandlers.push(handler);
}

export function parseActivityInputOutput(ctx: ParseContext, element: XmlElement, activity: Activity): void {
  const holder = child(element, "extensionElements");
  if (!holder) return;
  const mapping = parseInputOutput(ctx, holder, activity.id);
  if (!mapping) return;
  const tag = element.tag;
  if (
    !(
      tag.toLowerCase().includes("task") ||
      tag.includes("Event") ||
      tag === "transaction" ||
      tag === "subProcess" ||
      tag === "callActivity"
    )
  ) {
    ctx.error("listeners-and-mappings", `camunda:inputOutput is not supported on ${tag}`, element);
    return;
  }
  if (tag === "subProcess" && attr(element, "triggeredByEvent") === "true") {
    ctx.error(
      "listeners-and-mappings",
      "camunda:inputOutput is not supported on an event sub-process",
      element,
    );
    return;
  }
  if (
    mapping.outputs === 0 &&
    !child(holder, "inputOutput")?.children.some((c) => c.local === "outputParameter")
  )
    return;
  if (tag === "endEvent") {
    ctx.error("listeners-and-mappings", "camunda:outputParameter is not allowed on an end event", element);
  } else if (activity.multiInstance) {
    ctx.error(
      "listeners-and-mappings",
      "camunda:outputParameter is not allowed on a multi-instance activity",
      element,
    );
  }
}
