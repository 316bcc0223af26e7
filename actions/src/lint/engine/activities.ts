/**
 * Activities and events as the engine parses them: what each kind needs, where each event definition
 * is allowed, and which scope its subscription or handler belongs to.
 */
import { findAtLevel, parseCondition, parseScope } from "./bpmn-parse.js";
import type { Activity, ParseContext, Scope } from "./context.js";
import {
  checkMessageStartName,
  escalationHandler,
  findEscalation,
  messageSubscription,
  parseTimer,
  signalSubscription,
  subscribe,
} from "./events.js";
import {
  commaSeparated,
  ensureNoInputOutput,
  parseExecutionListeners,
  parseFormDefinition,
  parseForms,
  parseInputOutput,
  parsePriority,
  parseTaskListeners,
} from "./extensions.js";
import { parseEventBasedGateway } from "./gateways.js";
import { parseScriptTask, parseServiceTaskLike } from "./tasks.js";
import { attr, camundaAttr, child, children, extension, type XmlElement } from "./xml.js";

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

// ---------------------------------------------------------------- start events

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

// ---------------------------------------------------------------- activities

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

/**
 * Where subscriptions of an event scope are recorded: a sub-process's own scope, or for other
 * activities (a task with boundary events, a catch event, an event-based gateway) a record of its own.
 */
function ownScope(activity: Activity): Scope {
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

function parseUserTask(ctx: ParseContext, element: XmlElement, activity: Activity): void {
  checkFormHandlerClass(ctx, element);
  parseForms(ctx, element);
  parseFormDefinition(ctx, element);
  const name = attr(element, "name");
  if (name !== undefined) ctx.expression(name, element, "task name");
  const documentation = children(element, "documentation");
  if (documentation.length > 0) {
    ctx.expression(
      documentation.map((d) => d.text.trim()).join("\n\n"),
      documentation[0] as XmlElement,
      "task documentation",
    );
  }
  const performers = children(element, "humanPerformer");
  let assigneeFromPerformer = false;
  if (performers.length > 1) {
    ctx.error("attribute-values", "a user task may have only one humanPerformer", element);
  } else if (performers[0]) {
    const expression = child(
      child(performers[0], "resourceAssignmentExpression") ?? performers[0],
      "formalExpression",
    );
    if (expression && child(performers[0], "resourceAssignmentExpression")) {
      ctx.expression(expression.text, expression, "humanPerformer");
      assigneeFromPerformer = true;
    }
  }
  for (const owner of children(element, "potentialOwner")) {
    const assignment = child(owner, "resourceAssignmentExpression");
    const expression = assignment ? child(assignment, "formalExpression") : undefined;
    if (!expression) continue;
    for (const entry of commaSeparated(expression.text)) {
      ctx.expression(entry.replace(/^(user|group)\((.*)\)$/, "$2").trim(), expression, "potentialOwner");
    }
  }
  const assignee = camundaAttr(element, "assignee");
  if (assignee !== undefined) {
    if (assigneeFromPerformer) {
      ctx.error(
        "attribute-values",
        "the assignee is set twice (humanPerformer and camunda:assignee); keep one",
        element,
      );
    } else ctx.expression(assignee, element, "camunda:assignee");
  }
  for (const name of ["candidateUsers", "candidateGroups"]) {
    const value = camundaAttr(element, name);
    if (value === undefined) continue;
    for (const entry of commaSeparated(value)) ctx.expression(entry.trim(), element, `camunda:${name}`);
  }
  for (const timer of parseTaskListeners(ctx, element, activity.id)) parseTimer(ctx, timer, activity, false);
  for (const name of ["dueDate", "followUpDate", "priority"]) {
    const value = camundaAttr(element, name);
    if (value !== undefined) ctx.expression(value, element, `camunda:${name}`);
  }
  for (const property of children(element, "property")) {
    if (attr(property, "id") === undefined && attr(property, "name") === undefined) {
      ctx.error("attribute-values", "a property needs an id or a name", property, activity.id);
    }
    for (const name of ["srcExpr", "dstExpr", "linkExpr"]) {
      const value = camundaAttr(property, name);
      if (value !== undefined) ctx.expression(value, property, `camunda:${name}`);
    }
  }
}

/** Classes the engine instantiates while it parses (form handlers) must be on its class path. */
function checkFormHandlerClass(ctx: ParseContext, element: XmlElement): void {
  const className = camundaAttr(element, "formHandlerClass");
  if (className === undefined) return;
  ctx.classes.push({ className, element, what: "camunda:formHandlerClass" });
  ctx.javaCode("class", className, element, "camunda:formHandlerClass");
}

const RESULT_MAPPERS = new Set(["singleEntry", "singleResult", "collectEntries", "resultList"]);

function parseDecisionTask(ctx: ParseContext, element: XmlElement, activity: Activity): void {
  activity.behavior = "decision";
  ctx.expression(camundaAttr(element, "decisionRef") ?? "", element, "camunda:decisionRef");
  parseCallableBinding(
    ctx,
    element,
    "decisionRefBinding",
    "decisionRefVersion",
    "decisionRefVersionTag",
    "decisionRefTenantId",
  );
  const mapper = camundaAttr(element, "mapDecisionResult");
  if (mapper !== undefined && !RESULT_MAPPERS.has(mapper)) {
    ctx.error(
      "attribute-values",
      `camunda:mapDecisionResult "${mapper}" is not singleEntry, singleResult, collectEntries or resultList`,
      element,
    );
  }
}

function parseCallableBinding(
  ctx: ParseContext,
  element: XmlElement,
  bindingName: string,
  versionName: string,
  versionTagName: string,
  tenantName: string,
): void {
  const binding = camundaAttr(element, bindingName);
  const version = camundaAttr(element, versionName);
  const versionTag = camundaAttr(element, versionTagName);
  if (binding === "version" && version === undefined) {
    ctx.error("call-activities", `camunda:${bindingName}="version" needs camunda:${versionName}`, element);
  }
  if (binding === "versionTag" && versionTag === undefined) {
    ctx.error(
      "call-activities",
      `camunda:${bindingName}="versionTag" needs camunda:${versionTagName}`,
      element,
    );
  }
  if (version !== undefined) ctx.expression(version, element, `camunda:${versionName}`);
  if (versionTag !== undefined) ctx.expression(versionTag, element, `camunda:${versionTagName}`);
  const tenant = camundaAttr(element, tenantName);
  if (tenant !== undefined && tenant !== "") ctx.expression(tenant, element, `camunda:${tenantName}`);
}

function parseCallActivity(ctx: ParseContext, element: XmlElement): void {
  const calledElement = attr(element, "calledElement");
  const caseRef = camundaAttr(element, "caseRef");
  if (calledElement === undefined && caseRef === undefined) {
    ctx.error("call-activities", "call activity has neither calledElement nor camunda:caseRef", element);
  } else if (calledElement !== undefined && caseRef !== undefined) {
    ctx.error(
      "call-activities",
      "call activity has both calledElement and camunda:caseRef; keep one",
      element,
    );
  }
  if (calledElement !== undefined) {
    const delegate = camundaAttr(element, "variableMappingDelegateExpression");
    const mappingClass = camundaAttr(element, "variableMappingClass");
    if (mappingClass !== undefined)
      ctx.javaCode("class", mappingClass, element, "camunda:variableMappingClass");
    else if (delegate !== undefined) {
      ctx.expression(delegate, element, "camunda:variableMappingDelegateExpression");
      ctx.javaCode("delegateExpression", delegate, element, "camunda:variableMappingDelegateExpression");
    }
    ctx.expression(calledElement, element, "calledElement");
    parseCallableBinding(
      ctx,
      element,
      "calledElementBinding",
      "calledElementVersion",
      "calledElementVersionTag",
      "calledElementTenantId",
    );
  } else if (caseRef !== undefined) {
    ctx.expression(caseRef, element, "camunda:caseRef");
    parseCallableBinding(
      ctx,
      element,
      "caseBinding",
      "caseVersion",
      "calledElementVersionTag",
      "caseTenantId",
    );
  }
  parseVariablePassing(ctx, element, "in");
  parseVariablePassing(ctx, element, "out");
}

/** `camunda:in` / `camunda:out`: all variables, or a source (or sourceExpression) and a target. */
export function parseVariablePassing(ctx: ParseContext, element: XmlElement, direction: "in" | "out"): void {
  const holder = child(element, "extensionElements");
  if (!holder) return;
  const ownerId = attr(element, "id") ?? null;
  for (const parameter of holder.children.filter(
    (c) => c.local === direction && (c.uri.endsWith("/1.0/bpmn") || c.uri === "http://activiti.org/bpmn"),
  )) {
    const businessKey = attr(parameter, "businessKey");
    if (direction === "in" && businessKey !== undefined && businessKey !== "") {
      ctx.expression(businessKey, parameter, "camunda:in businessKey");
      continue;
    }
    if (attr(parameter, "variables") === "all") continue;
    let source = attr(parameter, "source");
    if (source === "")
      ctx.error("call-activities", `camunda:${direction} has an empty source`, parameter, ownerId);
    if (source === undefined) {
      source = attr(parameter, "sourceExpression");
      if (source === "")
        ctx.error(
          "call-activities",
          `camunda:${direction} has an empty sourceExpression`,
          parameter,
          ownerId,
        );
      else if (source !== undefined)
        ctx.expression(source, parameter, `camunda:${direction} sourceExpression`, ownerId);
    }
    if (source === undefined) {
      ctx.error(
        "call-activities",
        `camunda:${direction} has no source or sourceExpression`,
        parameter,
        ownerId,
      );
    }
    const target = attr(parameter, "target");
    if (target === undefined) {
      ctx.error("call-activities", `camunda:${direction} has no target`, parameter, ownerId);
    } else if (target === "") {
      ctx.error("call-activities", `camunda:${direction} has an empty target`, parameter, ownerId);
    }
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

// ---------------------------------------------------------------- catch, end and boundary events

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

function parseActivityInputOutput(ctx: ParseContext, element: XmlElement, activity: Activity): void {
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
