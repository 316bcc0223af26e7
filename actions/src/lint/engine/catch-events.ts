/** Intermediate catch, end and boundary events: their event definitions and where each may appear. */

import {
  addEscalationHandler,
  createActivity,
  isServiceTaskLike,
  ownScope,
  parseActivityInputOutput,
  parseCompensateThrow,
  parseConditionalDefinition,
} from "./activity.js";
import { findAtLevel } from "./bpmn-parse.js";
import type { Activity, ParseContext, Scope } from "./context.js";
import {
  escalationHandler,
  findEscalation,
  messageSubscription,
  parseTimer,
  signalSubscription,
  subscribe,
} from "./events.js";
import { ensureNoInputOutput, parseExecutionListeners } from "./extensions.js";
import { parseServiceTaskLike } from "./tasks.js";
import { attr, child, children, type XmlElement } from "./xml.js";

export function parseIntermediateCatchEvent(
  ctx: ParseContext,
  element: XmlElement,
  scope: Scope,
  gateway: Activity | null,
): Activity {
  const activity = createActivity(ctx, element, scope);
  activity.behavior = "catch";
  activity.afterEventGateway = gateway !== null;
  const eventScope = gateway ? ownScope(gateway) : ownScope(activity);
  const timer = child(element, "timerEventDefinition");
  const signal = child(element, "signalEventDefinition");
  const message = child(element, "messageEventDefinition");
  const link = child(element, "linkEventDefinition");
  const conditional = child(element, "conditionalEventDefinition");
  if (timer) parseTimer(ctx, timer, activity, false);
  else if (signal) {
    const name = signalSubscription(ctx, signal, activity.id, false);
    if (name !== undefined)
      subscribe(
        ctx,
        eventScope,
        { type: "signal", name, startEvent: false, activityId: activity.id },
        signal,
      );
  } else if (message) {
    const name = messageSubscription(ctx, message, activity.id);
    if (name !== undefined)
      subscribe(
        ctx,
        eventScope,
        { type: "message", name, startEvent: false, activityId: activity.id },
        message,
      );
  } else if (link) {
    activity.behavior = "link";
    if (gateway) ctx.error("gateways", "a link catch event cannot follow an event-based gateway", element);
    const name = attr(link, "name");
    if (name !== undefined && ctx.linkTargets.has(name)) {
      ctx.error(
        "sequence-flows",
        `another intermediate catch link event is already named "${name}"`,
        element,
      );
    } else if (name === undefined) {
      ctx.error("sequence-flows", "link event definition has no name", link, activity.id);
    } else ctx.linkTargets.set(name, activity.id ?? undefined);
  } else if (conditional) {
    const condition = parseConditionalDefinition(ctx, conditional, activity);
    if (condition !== undefined) {
      subscribe(
        ctx,
        eventScope,
        { type: "conditional", name: condition, startEvent: false, activityId: activity.id },
        conditional,
      );
    }
  } else {
    ctx.error(
      "event-definitions",
      "an intermediate catch event needs a timer, message, signal, link or conditional event definition",
      element,
    );
  }
  parseExecutionListeners(ctx, element, false);
  parseActivityInputOutput(ctx, element, activity);
  return activity;
}

export function parseEndEvents(ctx: ParseContext, parent: XmlElement, scope: Scope): void {
  for (const element of children(parent, "endEvent")) {
    const activity = createActivity(ctx, element, scope);
    activity.behavior = "end";
    const error = child(element, "errorEventDefinition");
    const cancel = child(element, "cancelEventDefinition");
    const terminate = child(element, "terminateEventDefinition");
    const message = child(element, "messageEventDefinition");
    const signal = child(element, "signalEventDefinition");
    const compensate = child(element, "compensateEventDefinition");
    const escalation = child(element, "escalationEventDefinition");
    if (error) {
      const errorRef = attr(error, "errorRef");
      if (errorRef === undefined || errorRef === "") {
        ctx.error("undefined-reference", "an error end event needs an errorRef", error, activity.id);
      } else {
        const definition = ctx.definitions.errors.get(errorRef);
        if (definition && (definition.errorCode === undefined || definition.errorCode === "")) {
          ctx.error(
            "undefined-reference",
            `the error "${errorRef}" thrown here has no errorCode; the engine needs one to throw it`,
            error,
            activity.id,
          );
        }
      }
    } else if (cancel) {
      if (scope.kind !== "transaction") {
        ctx.error(
          "transactions",
          "a cancel end event is only allowed inside a transaction sub-process",
          cancel,
          activity.id,
        );
      }
    } else if (terminate) {
      // nothing to check
    } else if (message && isServiceTaskLike(message)) {
      parseServiceTaskLike(ctx, activity, message, element, false);
    } else if (signal) {
      signalSubscription(ctx, signal, activity.id, true);
    } else if (compensate) {
      parseCompensateThrow(ctx, compensate, scope, attr(element, "id") ?? null);
    } else if (escalation) {
      const definition = findEscalation(ctx, escalation, activity.id);
      if (definition && definition.code === null) {
        ctx.error(
          "escalations",
          "an escalation end event needs an escalation with an escalationCode",
          escalation,
          activity.id,
        );
      }
    }
    parseActivityInputOutput(ctx, element, activity);
    parseExecutionListeners(ctx, element, false);
  }
}

export function parseBoundaryEvents(ctx: ParseContext, parent: XmlElement, scope: Scope): void {
  for (const element of children(parent, "boundaryEvent")) {
    const attachedToRef = attr(element, "attachedToRef");
    if (attachedToRef === undefined || attachedToRef === "") {
      ctx.error("undefined-reference", "a boundary event needs attachedToRef", element);
    }
    const activity = createActivity(ctx, element, scope, "boundaryEvent");
    activity.behavior = "boundary";
    const attached = findAtLevel(scope, attachedToRef);
    if (!attached) {
      ctx.error(
        "undefined-reference",
        `attachedToRef "${attachedToRef ?? ""}" names no activity in the boundary event's own scope`,
        element,
      );
      continue;
    }
    activity.eventScope = attached;
    const cancelActivity = (attr(element, "cancelActivity") ?? "true") === "true";
    const definition = (tag: string) => child(element, tag);
    const timer = definition("timerEventDefinition");
    const error = definition("errorEventDefinition");
    const signal = definition("signalEventDefinition");
    const cancel = definition("cancelEventDefinition");
    const compensate = definition("compensateEventDefinition");
    const message = definition("messageEventDefinition");
    const escalation = definition("escalationEventDefinition");
    const conditional = definition("conditionalEventDefinition");
    const eventScope = ownScope(attached);
    if (timer) parseTimer(ctx, timer, activity, false);
    else if (error) activity.type = "boundaryError";
    else if (signal) {
      const name = signalSubscription(ctx, signal, activity.id, false);
      if (name !== undefined)
        subscribe(
          ctx,
          eventScope,
          { type: "signal", name, startEvent: false, activityId: activity.id },
          signal,
        );
    } else if (cancel) {
      activity.type = "cancelBoundaryCatch";
      if (attached.element.tag !== "transaction") {
        ctx.error(
          "transactions",
          "a cancel boundary event is only allowed on a transaction sub-process",
          cancel,
          activity.id,
        );
      }
      for (const sibling of scope.activities.values()) {
        if (
          sibling !== activity &&
          sibling.type === "cancelBoundaryCatch" &&
          sibling.eventScope === attached
        ) {
          ctx.error(
            "transactions",
            "a transaction may have only one cancel boundary event",
            cancel,
            activity.id,
          );
        }
      }
    } else if (compensate) {
      activity.type = "compensationBoundaryCatch";
      for (const sibling of scope.activities.values()) {
        if (
          sibling !== activity &&
          sibling.type === "compensationBoundaryCatch" &&
          sibling.eventScope === attached
        ) {
          ctx.error(
            "compensation",
            "an activity may have only one compensation boundary event",
            compensate,
            activity.id,
          );
        }
      }
    } else if (message) {
      const name = messageSubscription(ctx, message, activity.id);
      if (name !== undefined)
        subscribe(
          ctx,
          eventScope,
          { type: "message", name, startEvent: false, activityId: activity.id },
          message,
        );
    } else if (escalation) {
      const tag = attached.element.tag;
      if (tag === "subProcess" || tag === "transaction" || tag === "callActivity" || tag === "userTask") {
        const code = escalationHandler(ctx, escalation, activity.id);
        addEscalationHandler(ctx, eventScope, { code, subProcess: false }, escalation, activity.id);
      } else {
        ctx.error(
          "escalations",
          "an escalation boundary event can only be attached to a sub-process, a call activity or a user task",
          element,
        );
      }
    } else if (conditional) {
      parseConditionalDefinition(ctx, conditional, activity);
    } else {
      ctx.error(
        "event-definitions",
        "a boundary event needs an event definition the engine supports",
        element,
      );
    }
    void cancelActivity;
    ensureNoInputOutput(ctx, element);
    parseExecutionListeners(ctx, element, false);
  }
}
