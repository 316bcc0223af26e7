/**
 * Activities as the engine parses them, child by child of a scope: tasks, gateways, sub-processes,
 * call activities, throw events, multi-instance loops.
 */

import {
  createActivity,
  isServiceTaskLike,
  ownScope,
  parseActivityInputOutput,
  parseCompensateThrow,
} from "./activity.js";
import { parseScope } from "./bpmn-parse.js";
import { parseCallActivity, parseDecisionTask } from "./call-activities.js";
import type { Activity, ParseContext, Scope } from "./context.js";
import { findEscalation, messageSubscription, signalSubscription, subscribe } from "./events.js";
import { parseExecutionListeners } from "./extensions.js";
import { parseEventBasedGateway } from "./gateways.js";
import { parseScriptTask, parseServiceTaskLike } from "./tasks.js";
import { parseUserTask } from "./user-tasks.js";
import { attr, camundaAttr, child, type XmlElement } from "./xml.js";

/** One child of a scope; elements the engine does not execute (data objects, text annotations) are skipped. */
export function parseActivity(
  ctx: ParseContext,
  element: XmlElement,
  parent: XmlElement | null,
  scope: Scope,
): Activity | null {
  const loop = child(element, "multiInstanceLoopCharacteristics");
  const multiInstance = loop !== undefined && EXECUTABLE.has(element.tag);
  if (multiInstance && loop) parseMultiInstance(ctx, element, loop);
  let activity: Activity | null = null;
  switch (element.tag) {
    case "exclusiveGateway":
    case "inclusiveGateway":
    case "parallelGateway":
    case "task":
    case "manualTask":
      activity = simple(
        ctx,
        element,
        scope,
        element.tag === "exclusiveGateway" ? "exclusiveGateway" : "task",
      );
      break;
    case "scriptTask":
      activity = createActivity(ctx, element, scope);
      activity.behavior = parseScriptTask(ctx, element) ? "script" : null;
      if (activity.behavior) parseExecutionListeners(ctx, element, false);
      break;
    case "serviceTask":
    case "sendTask":
      activity = createActivity(ctx, element, scope);
      parseServiceTaskLike(ctx, activity, element, element, element.tag === "sendTask");
      parseExecutionListeners(ctx, element, false);
      break;
    case "businessRuleTask":
      activity = createActivity(ctx, element, scope);
      if (camundaAttr(element, "decisionRef") !== undefined) parseDecisionTask(ctx, element, activity);
      else parseServiceTaskLike(ctx, activity, element, element, false);
      parseExecutionListeners(ctx, element, false);
      break;
    case "userTask":
      activity = createActivity(ctx, element, scope);
      activity.behavior = "userTask";
      parseUserTask(ctx, element, activity);
      parseExecutionListeners(ctx, element, false);
      break;
    case "receiveTask":
      activity = simple(ctx, element, scope, "receiveTask");
      if (attr(element, "messageRef") !== undefined) {
        const name = messageSubscription(ctx, element, activity.id);
        if (name !== undefined)
          subscribe(
            ctx,
            ownScope(activity),
            { type: "message", name, startEvent: false, activityId: activity.id },
            element,
          );
      }
      break;
    case "subProcess":
    case "transaction":
      activity = parseSubProcess(ctx, element, scope);
      break;
    case "callActivity":
      activity = createActivity(ctx, element, scope);
      activity.behavior = "callActivity";
      parseCallActivity(ctx, element);
      parseExecutionListeners(ctx, element, false);
      break;
    case "intermediateThrowEvent":
      activity = parseIntermediateThrowEvent(ctx, element, scope);
      break;
    case "eventBasedGateway":
      activity = createActivity(ctx, element, scope);
      activity.behavior = "eventBasedGateway";
      parseEventBasedGateway(ctx, element, parent, scope, activity);
      break;
    default:
      return null;
  }
  if (!activity) return null;
  activity.multiInstance = multiInstance;
  parseActivityInputOutput(ctx, element, activity);
  return activity;
}

/** Elements parseActivity turns into activities (a loop on anything else is ignored by the engine). */
const EXECUTABLE = new Set([
  "exclusiveGateway",
  "inclusiveGateway",
  "parallelGateway",
  "scriptTask",
  "serviceTask",
  "businessRuleTask",
  "task",
  "manualTask",
  "userTask",
  "sendTask",
  "receiveTask",
  "subProcess",
  "callActivity",
  "intermediateThrowEvent",
  "eventBasedGateway",
  "transaction",
]);

function simple(ctx: ParseContext, element: XmlElement, scope: Scope, behavior: string): Activity {
  const activity = createActivity(ctx, element, scope);
  activity.behavior = behavior;
  parseExecutionListeners(ctx, element, false);
  return activity;
}

function parseSubProcess(ctx: ParseContext, element: XmlElement, scope: Scope): Activity {
  const activity = createActivity(ctx, element, scope);
  activity.behavior = "subProcess";
  const triggered = attr(element, "triggeredByEvent");
  activity.triggeredByEvent =
    element.tag === "subProcess" &&
    triggered !== undefined &&
    ["true", "enabled", "on", "active", "yes"].includes(triggered);
  if (activity.triggeredByEvent) activity.eventScope = scope;
  activity.scope = {
    id: activity.id,
    element,
    kind: element.tag === "transaction" ? "transaction" : "subProcess",
    activity,
    parent: scope,
    activities: new Map(),
    subscriptions: [],
    escalationHandlers: [],
    backlog: [],
  };
  parseScope(ctx, element, activity.scope);
  return activity;
}

function parseMultiInstance(ctx: ParseContext, element: XmlElement, loop: XmlElement): void {
  // The engine names the multi-instance body ("<id>#multiInstanceBody"); a reader looks for the activity.
  const bodyId = attr(element, "id") ?? null;
  const cardinality = child(loop, "loopCardinality");
  let hasCardinality = false;
  if (cardinality) {
    if (cardinality.text === "") ctx.error("multi-instance", "loopCardinality is empty", loop, bodyId);
    ctx.expression(cardinality.text, cardinality, "loopCardinality");
    hasCardinality = true;
  }
  const completion = child(loop, "completionCondition");
  if (completion) ctx.expression(completion.text, completion, "completionCondition");
  let hasCollection = false;
  const collection = camundaAttr(loop, "collection");
  if (collection !== undefined) {
    if (collection.includes("{")) ctx.expression(collection, loop, "camunda:collection");
    hasCollection = true;
  }
  const input = child(loop, "loopDataInputRef");
  if (input) {
    if (input.text.includes("{")) ctx.expression(input.text, input, "loopDataInputRef");
    hasCollection = true;
  }
  const elementVariable =
    camundaAttr(loop, "elementVariable") ??
    (child(loop, "inputDataItem") ? attr(child(loop, "inputDataItem") as XmlElement, "name") : undefined);
  if (!hasCardinality && !hasCollection) {
    ctx.error(
      "multi-instance",
      "multi-instance needs a loopCardinality or a collection (camunda:collection or loopDataInputRef)",
      loop,
      bodyId,
    );
  }
  if (!hasCollection && elementVariable !== undefined) {
    ctx.error(
      "multi-instance",
      "an element variable needs a collection (camunda:collection or loopDataInputRef)",
      loop,
      bodyId,
    );
  }
}

function parseIntermediateThrowEvent(ctx: ParseContext, element: XmlElement, scope: Scope): Activity | null {
  const link = child(element, "linkEventDefinition");
  const id = attr(element, "id");
  if (link) {
    // A throwing link event is no activity: flows into it continue at the catching event.
    if (id !== undefined) ctx.linkSources.set(id, attr(link, "name") ?? "");
    return null;
  }
  const activity = createActivity(ctx, element, scope);
  activity.behavior = "throw";
  const signal = child(element, "signalEventDefinition");
  const compensate = child(element, "compensateEventDefinition");
  const message = child(element, "messageEventDefinition");
  const escalation = child(element, "escalationEventDefinition");
  if (signal) {
    signalSubscription(ctx, signal, activity.id, true);
  } else if (compensate) {
    parseCompensateThrow(ctx, compensate, scope, activity.id);
  } else if (message && isServiceTaskLike(message)) {
    parseServiceTaskLike(ctx, activity, message, element, false);
  } else if (escalation) {
    const escalationDefinition = findEscalation(ctx, escalation, activity.id);
    if (escalationDefinition && escalationDefinition.code === null) {
      ctx.error(
        "escalations",
        "a throwing escalation event needs an escalation with an escalationCode",
        escalation,
        activity.id,
      );
    }
  }
  parseExecutionListeners(ctx, element, false);
  return activity;
}
