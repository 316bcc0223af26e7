/**
 * Event definitions: message, signal and escalation references resolved as the engine resolves them,
 * subscriptions that must be unique per scope, and timers.
 */
import { isIsoDateTime, isIsoDuration, isTimeCycle } from "../syntax/iso8601.js";
import { analyzeJuel } from "../syntax/juel.js";
import { resolveName } from "./bpmn-parse.js";
import { parseVariablePassing } from "./call-activities.js";
import type { Activity, ParseContext, Scope } from "./context.js";
import { isExpressionText } from "./extensions.js";
import { attr, child, type XmlElement } from "./xml.js";

/**
 * The message a message event definition (or receive task) subscribes to, by name; "" when the
 * message has no name. Undefined when the reference cannot be resolved (a finding is reported).
 */
export function messageSubscription(
  ctx: ParseContext,
  element: XmlElement,
  ownerId: string | null,
): string | undefined {
  const ref = attr(element, "messageRef");
  if (ref === undefined) {
    ctx.error(
      "undefined-reference",
      "message event without messageRef: reference a message",
      element,
      ownerId,
    );
    return undefined;
  }
  const message = ctx.definitions.messages.get(resolveName(ctx, ref));
  if (!message) {
    ctx.error("undefined-reference", `messageRef "${ref}" names no message of this file`, element, ownerId);
    return undefined;
  }
  return message.name ?? "";
}

/** The signal a signal event definition refers to, by name; throwing signals may pass variables. */
export function signalSubscription(
  ctx: ParseContext,
  definition: XmlElement,
  ownerId: string | null,
  throwing: boolean,
): string | undefined {
  const ref = attr(definition, "signalRef");
  if (ref === undefined) {
    ctx.error(
      "undefined-reference",
      "signal event without signalRef: reference a signal",
      definition,
      ownerId,
    );
    return undefined;
  }
  const signal = ctx.definitions.signals.get(resolveName(ctx, ref));
  if (!signal) {
    ctx.error("undefined-reference", `signalRef "${ref}" names no signal of this file`, definition, ownerId);
    return undefined;
  }
  if (throwing) parseVariablePassing(ctx, definition, "in");
  return signal.name;
}

/** A message start event is found by its literal name; an expression cannot be resolved before the start. */
export function checkMessageStartName(
  ctx: ParseContext,
  definition: XmlElement,
  name: string,
  ownerId: string | null,
) {
  if (name !== "" && isExpressionText(name)) {
    ctx.error(
      "event-subscriptions",
      `message start event name "${name}" contains an expression, which a start event cannot resolve`,
      definition,
      ownerId,
    );
  }
}

/** Adds a subscription to its scope: one per message or signal name, one per start condition. */
export function subscribe(
  ctx: ParseContext,
  scope: Scope,
  subscription: Scope["subscriptions"][number],
  element: XmlElement,
): void {
  const { type, name, startEvent, activityId } = subscription;
  if (type === "message" && name.trim() === "") {
    ctx.error(
      "event-subscriptions",
      "the message has no name, so nothing can correlate to this event",
      element,
      activityId,
    );
  }
  const clash = scope.subscriptions.some(
    (s) =>
      s.type === type &&
      s.name === name &&
      s.startEvent === startEvent &&
      (type !== "conditional" || startEvent),
  );
  if (clash && type !== "conditional") {
    ctx.error(
      "event-subscriptions",
      `another ${type} event of the same scope waits for the ${type} "${name}"; the engine allows one per scope`,
      element,
      activityId,
    );
  } else if (clash) {
    ctx.error(
      "event-subscriptions",
      `another conditional start event has the same condition "${name}"`,
      element,
      activityId,
    );
  }
  scope.subscriptions.push(subscription);
}

/** The escalation code an escalation handler catches (null: every escalation). */
export function escalationHandler(
  ctx: ParseContext,
  definition: XmlElement,
  ownerId: string | null,
): string | null {
  const ref = attr(definition, "escalationRef");
  if (ref === undefined) return null;
  const escalation = ctx.definitions.escalations.get(ref);
  if (!escalation) {
    ctx.error("escalations", `escalationRef "${ref}" names no escalation of this file`, definition, ownerId);
    return null;
  }
  return escalation.code;
}

/** The escalation a throwing escalation event refers to (it must exist). */
export function findEscalation(ctx: ParseContext, definition: XmlElement, ownerId: string | null) {
  const ref = attr(definition, "escalationRef");
  if (ref === undefined) {
    ctx.error("escalations", "a throwing escalation event needs an escalationRef", definition, ownerId);
    return null;
  }
  const escalation = ctx.definitions.escalations.get(ref);
  if (!escalation) {
    ctx.error("escalations", `escalationRef "${ref}" names no escalation of this file`, definition, ownerId);
    return null;
  }
  return escalation;
}

const TIMER_KINDS = [
  {
    tag: "timeDate",
    // The engine reads a value starting with "P" as a period from now, anything else as a date-time.
    valid: (value: string) => (value.startsWith("P") ? isIsoDuration(value) : isIsoDateTime(value)),
    expected: "an ISO 8601 date-time such as 2026-01-31T09:00:00Z (or a period such as P1D)",
  },
  {
    tag: "timeCycle",
    valid: isTimeCycle,
    expected: "an ISO 8601 cycle such as R3/PT10M, or a cron expression",
  },
  { tag: "timeDuration", valid: isIsoDuration, expected: "an ISO 8601 duration such as PT15M or P3D" },
] as const;

/**
 * A timer: the engine takes timeDate, else timeCycle, else timeDuration, and compiles it. A literal
 * value it cannot read fails when the timer is scheduled: at deployment for a process's start timer,
 * when the timer is reached for the others.
 */
export function parseTimer(
  ctx: ParseContext,
  timer: XmlElement,
  activity: Activity,
  processStart: boolean,
): void {
  const present = TIMER_KINDS.filter((kind) => child(timer, kind.tag));
  const used = present[0];
  if (!used) {
    ctx.error(
      "timer-definition",
      "timer has no timeDate, timeDuration or timeCycle: the engine refuses to deploy it; set one",
      timer,
      activity.id,
    );
    return;
  }
  if (activity.id === null) ctx.error("timer-definition", "a timer event needs an id", timer);
  if (present.length > 1) {
    ctx.runtime(
      "timer-definition",
      `timer sets ${present.map((k) => k.tag).join(" and ")}: the engine uses only ${used.tag}; keep one`,
      timer,
      activity.id,
    );
  }
  const valueElement = child(timer, used.tag) as XmlElement;
  const value = valueElement.text.trim();
  ctx.expression(value, valueElement, used.tag, activity.id);
  if (processStart && isExpressionText(value)) {
    // The deployment schedules a process's start timer: the expression is evaluated then, with no
    // process instance, so it can only use functions, never variables.
    const names = analyzeJuel(value)?.identifiers ?? [];
    if (names.length > 0) {
      ctx.error(
        "timer-definition",
        `${used.tag} "${value}" is evaluated when the process is deployed, before any instance exists: "${names[0]}" cannot be resolved then and the deployment fails; use a literal value or only functions such as now()`,
        valueElement,
        activity.id,
      );
    }
    return;
  }
  if (isExpressionText(value) || used.valid(value)) return;
  const message = `${used.tag} "${value}" is not ${used.expected}`;
  if (processStart)
    ctx.error(
      "timer-definition",
      `${message}: the deployment fails when it schedules the start timer`,
      valueElement,
      activity.id,
    );
  else
    ctx.runtime(
      "timer-definition",
      `${message}: the timer fails when it is reached`,
      valueElement,
      activity.id,
    );
}
