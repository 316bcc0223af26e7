import { addEscalationHandler, createActivity, parseConditionalDefinition } from "./activity.js";
import type { Activity, ParseContext, Scope } from "./context.js";
import {
  checkMessageStartName,
  escalationHandler,
  messageSubscription,
  parseTimer,
  signalSubscription,
  subscribe,
} from "./events.js";
import { ensureNoInputOutput, parseExecutionListeners, startsAsExpression } from "./extensions.js";
import { parseFormDefinition, parseForms } from "./forms.js";
import { checkFormHandlerClass } from "./user-tasks.js";
import { attr, camundaAttr, child, children, type XmlElement } from "./xml.js";

export function parseStartEvents(ctx: ParseContext, parent: XmlElement, scope: Scope): void {
  const starts = children(parent, "startEvent");
  const created: Activity[] = [];
  if (starts.length === 0 && (parent.tag === "process" || parent.tag === "subProcess")) {
    ctx.error("start-events", `${parent.tag} has no start event`, parent);
  }
  let initial: Activity | null = null;
  for (const element of starts) {
    const activity = createActivity(ctx, element, scope);
    if (scope.kind === "process") {
      parseProcessStartEvent(ctx, element, activity, scope);
      created.push(activity);
    } else parseScopeStartEvent(ctx, element, activity, scope, initial);
    initial ??= activity;
    ensureNoInputOutput(ctx, element);
    parseExecutionListeners(ctx, element, false);
  }
  if (scope.kind !== "process") return;
  // One none or timer start event per process: it is the one a plain start uses.
  let first: Activity | null = null;
  for (const activity of created) {
    if (activity.type !== "startEvent" && activity.type !== "startTimerEvent") continue;
    if (first === null) first = activity;
    else {
      ctx.error("start-events", "a process may have only one none or timer start event", parent, activity.id);
    }
  }
  const startedBy = first ?? (created.length === 1 ? created[0] : null);
  if (startedBy) {
    checkFormHandlerClass(ctx, startedBy.element);
    parseForms(ctx, startedBy.element);
    parseFormDefinition(ctx, startedBy.element);
  }
}

function parseProcessStartEvent(ctx: ParseContext, element: XmlElement, activity: Activity, scope: Scope) {
  const timer = child(element, "timerEventDefinition");
  const message = child(element, "messageEventDefinition");
  const signal = child(element, "signalEventDefinition");
  const conditional = child(element, "conditionalEventDefinition");
  if (timer) {
    activity.type = "startTimerEvent";
    parseTimer(ctx, timer, activity, true);
    // The start timer's job is created at deployment, when a priority expression has nothing to be
    // evaluated against: the start event's own priority, else the process's.
    const priority = camundaAttr(element, "jobPriority") ?? camundaAttr(scope.element, "jobPriority");
    if (priority !== undefined && startsAsExpression(priority)) {
      ctx.error(
        "timer-definition",
        `the start timer's job is created when the process is deployed, and its camunda:jobPriority "${priority}" cannot be evaluated then; use a number`,
        element,
      );
    }
  } else if (message) {
    activity.type = "messageStartEvent";
    const name = messageSubscription(ctx, message, activity.id);
    if (name !== undefined) {
      checkMessageStartName(ctx, message, name, activity.id);
      subscribe(ctx, scope, { type: "message", name, startEvent: true, activityId: activity.id }, element);
    }
  } else if (signal) {
    activity.type = "signalStartEvent";
    const name = signalSubscription(ctx, signal, activity.id, false);
    if (name !== undefined)
      subscribe(ctx, scope, { type: "signal", name, startEvent: true, activityId: activity.id }, signal);
  } else if (conditional) {
    activity.type = "conditionalStartEvent";
    const condition = parseConditionalDefinition(ctx, conditional, activity);
    if (condition !== undefined) {
      subscribe(
        ctx,
        scope,
        { type: "conditional", name: condition, startEvent: true, activityId: activity.id },
        element,
      );
    }
  }
}

function parseScopeStartEvent(
  ctx: ParseContext,
  element: XmlElement,
  activity: Activity,
  scope: Scope,
  initial: Activity | null,
): void {
  if (initial) {
    ctx.error("start-events", "a sub-process may have only one start event", scope.element, activity.id);
  }
  const definition = (tag: string) => child(element, tag);
  const error = definition("errorEventDefinition");
  const message = definition("messageEventDefinition");
  const signal = definition("signalEventDefinition");
  const timer = definition("timerEventDefinition");
  const compensate = definition("compensateEventDefinition");
  const escalation = definition("escalationEventDefinition");
  const conditional = definition("conditionalEventDefinition");
  const subProcess = scope.activity;
  if (subProcess?.triggeredByEvent) {
    const interrupting = (attr(element, "isInterrupting") ?? "true").toLowerCase() === "true";
    const eventScope = subProcess.flowScope;
    activity.eventScope = eventScope;
    if (error) {
      activity.type = "errorStartEvent";
      if (!interrupting)
        ctx.error(
          "start-events",
          "an error start event of an event sub-process must be interrupting",
          element,
        );
    } else if (message) {
      activity.type = "messageStartEvent";
      const name = messageSubscription(ctx, message, activity.id);
      if (name !== undefined)
        subscribe(
          ctx,
          eventScope,
          { type: "message", name, startEvent: false, activityId: activity.id },
          message,
        );
    } else if (signal) {
      activity.type = "signalStartEvent";
      const name = signalSubscription(ctx, signal, activity.id, false);
      if (name !== undefined)
        subscribe(
          ctx,
          eventScope,
          { type: "signal", name, startEvent: false, activityId: activity.id },
          signal,
        );
    } else if (timer) {
      activity.type = "startTimerEvent";
      parseTimer(ctx, timer, activity, false);
    } else if (compensate) {
      activity.type = "compensationStartEvent";
      parseCompensationEventSubProcess(ctx, element, activity, subProcess);
    } else if (escalation) {
      activity.type = "escalationStartEvent";
      const code = escalationHandler(ctx, escalation, activity.id);
      addEscalationHandler(ctx, eventScope, { code, subProcess: true }, escalation, activity.id);
    } else if (conditional) {
      activity.type = "conditionalStartEvent";
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
        "start-events",
        "the start event of an event sub-process needs an error, message, timer, signal, compensation, escalation or conditional event definition",
        element,
      );
    }
    return;
  }
  const misplaced: Array<[XmlElement | undefined, string]> = [
    [conditional, "conditionalEventDefinition is not allowed on the start event of a sub-process"],
    [timer, "timerEventDefinition is not allowed on the start event of a sub-process"],
    [escalation, "escalationEventDefinition is not allowed on the start event of a sub-process"],
    [compensate, "compensateEventDefinition is not allowed on the start event of a sub-process"],
    [error, "errorEventDefinition is allowed on a sub-process start event only in an event sub-process"],
    [message, "messageEventDefinition is allowed on a sub-process start event only in an event sub-process"],
    [signal, "signalEventDefinition is allowed on a sub-process start event only in an event sub-process"],
  ];
  for (const [found, message] of misplaced) if (found) ctx.error("start-events", message, found, activity.id);
}

function parseCompensationEventSubProcess(
  ctx: ParseContext,
  element: XmlElement,
  activity: Activity,
  eventSubProcess: Activity,
): void {
  const host = eventSubProcess.flowScope.activity;
  if (!host) {
    ctx.error(
      "compensation",
      "an event sub-process with a compensation start event is only supported inside an embedded sub-process",
      element,
    );
    return;
  }
  if (!host.compensationHandler)
    host.compensationHandler = { id: eventSubProcess.id ?? "", subProcess: true };
  else if (host.compensationHandler.subProcess) {
    ctx.error(
      "compensation",
      "a scope may hold only one event sub-process with a compensation start event",
      element,
    );
  } else {
    ctx.error(
      "compensation",
      "a compensation boundary event and an event sub-process with a compensation start event cannot share a scope",
      element,
    );
  }
  void activity;
}
