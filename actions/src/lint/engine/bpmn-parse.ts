/**
 * What the Camunda 7.23 engine checks when it parses a BPMN deployment, followed in the order the
 * engine's parser works (definitions, then each executable process scope by scope, then the diagram),
 * so that a finding appears exactly when the engine would refuse the deployment, pointing at the
 * element the engine would name. Written from the engine's behaviour, not its code.
 */
import {
  parseActivity,
  parseBoundaryEvents,
  parseEndEvents,
  parseIntermediateCatchEvent,
  parseStartEvents,
} from "./activities.js";
import {
  type Activity,
  type Definitions,
  type EngineFinding,
  type Flow,
  ParseContext,
  type Scope,
} from "./context.js";
import { commaSeparated, parseExecutionListeners, parsePriority } from "./extensions.js";
import { validateExclusiveGateway } from "./gateways.js";
import { checkSchema } from "./schema.js";
import {
  attr,
  BPMN_NS,
  BPMNDI_NS,
  camundaAttr,
  child,
  children,
  DC_NS,
  DI_NS,
  descendants,
  extensions,
  XMLNS_NS,
  type XmlElement,
  XSI_NS,
} from "./xml.js";

export interface EngineParseResult {
  findings: EngineFinding[];
  context: ParseContext;
}

const cache = new WeakMap<XmlElement, EngineParseResult>();

/** Parses a BPMN tree as the engine would; the result is cached per tree (several rules read it). */
export function engineParse(root: XmlElement): EngineParseResult {
  const cached = cache.get(root);
  if (cached) return cached;
  const ctx = new ParseContext(root, readDefinitions(root));
  // The engine validates against the BPMN schema first and keeps going: both kinds of errors are reported.
  for (const finding of checkSchema(root)) ctx.findings.push(finding);
  parseDefinitions(ctx);
  const result = { findings: ctx.findings, context: ctx };
  cache.set(root, result);
  return result;
}

function readDefinitions(root: XmlElement): Definitions {
  const prefixes = new Map<string, string>();
  for (const a of root.attributes)
    if (a.uri === XMLNS_NS && a.name !== "xmlns") prefixes.set(a.local, a.value);
  const ids = new Set<string>();
  const id = attr(root, "id");
  if (id !== undefined) ids.add(id);
  for (const element of descendants(root)) {
    const value = attr(element, "id");
    if (value !== undefined) ids.add(value);
  }
  return {
    targetNamespace: attr(root, "targetNamespace") ?? null,
    prefixes,
    messages: new Map(),
    signals: new Map(),
    errors: new Map(),
    escalations: new Map(),
    ids,
  };
}

/** `prefix:name` through the root's namespace declarations, `name` through the target namespace. */
export function resolveName(ctx: ParseContext, name: string): string {
  const colon = name.indexOf(":");
  if (colon === -1) return `${ctx.definitions.targetNamespace}:${name}`;
  return `${ctx.definitions.prefixes.get(name.slice(0, colon)) ?? null}:${name.slice(colon + 1)}`;
}

function parseDefinitions(ctx: ParseContext): void {
  const { root, definitions } = ctx;
  for (const element of children(root, "import")) {
    const type = attr(element, "importType");
    ctx.error(
      "definitions",
      type === "http://schemas.xmlsoap.org/wsdl/"
        ? "the engine has no WSDL importer: remove the <import>"
        : `the engine cannot import items of type ${type ?? "(none)"}: remove the <import>`,
      element,
    );
  }
  for (const message of children(root, "message")) {
    const name = attr(message, "name");
    if (name !== undefined) ctx.expression(name, message, "message name");
    definitions.messages.set(`${definitions.targetNamespace}:${attr(message, "id")}`, { name });
  }
  const signalNames = new Set<string>();
  for (const signal of children(root, "signal")) {
    const id = attr(signal, "id");
    const name = attr(signal, "name");
    if (name !== undefined && signalNames.has(name)) {
      ctx.error(
        "definitions",
        `signal name "${name}" is used by another signal of the file; rename one (the engine needs unique signal names)`,
        signal,
      );
    }
    if (id === undefined)
      ctx.error("definitions", "signal has no id; give it one so events can refer to it", signal);
    else if (name === undefined)
      ctx.error(
        "definitions",
        `signal "${id}" has no name; the engine broadcasts signals by name, give it one`,
        signal,
      );
    else {
      ctx.expression(name, signal, "signal name");
      signalNames.add(name);
      definitions.signals.set(`${definitions.targetNamespace}:${id}`, { name });
    }
  }
  for (const error of children(root, "error")) {
    const id = attr(error, "id");
    if (id === undefined)
      ctx.error("definitions", "error has no id; give it one so error events can refer to it", error);
    const message = camundaAttr(error, "errorMessage");
    if (message !== undefined) ctx.expression(message, error, "camunda:errorMessage");
    definitions.errors.set(id, { errorCode: attr(error, "errorCode") });
  }
  for (const escalation of children(root, "escalation")) {
    const id = attr(escalation, "id");
    if (id === undefined) {
      ctx.error(
        "definitions",
        "escalation has no id; give it one so escalation events can refer to it",
        escalation,
      );
      continue;
    }
    const code = attr(escalation, "escalationCode");
    definitions.escalations.set(id, { code: code === undefined || code === "" ? null : code });
  }
  for (const process of children(root, "process")) {
    // A deployment parses only processes marked executable (Java's Boolean.parseBoolean).
    if (attr(process, "isExecutable")?.toLowerCase() !== "true") continue;
    parseProcess(ctx, process);
  }
  parseDiagrams(ctx);
}

function newScope(
  element: XmlElement,
  kind: Scope["kind"],
  activity: Activity | null,
  parent: Scope | null,
): Scope {
  return {
    id: attr(element, "id") ?? null,
    element,
    kind,
    activity,
    parent,
    activities: new Map(),
    subscriptions: [],
    escalationHandlers: [],
    backlog: [],
  };
}

function parseProcess(ctx: ParseContext, element: XmlElement): void {
  ctx.sequenceFlows = new Set();
  const process = newScope(element, "process", null, null);
  ctx.processes.push(process);
  parsePriority(ctx, element, "jobPriority");
  parsePriority(ctx, element, "taskPriority");
  checkHistoryTimeToLive(ctx, element);
  parseScope(ctx, element, process);
  validateActivities(ctx, process);
}

/** `camunda:historyTimeToLive`: days, or P<days>D; required while the engine enforces a TTL (7.23 default). */
function checkHistoryTimeToLive(ctx: ParseContext, process: XmlElement): void {
  const value = camundaAttr(process, "historyTimeToLive");
  const days = value === undefined ? "" : (/^P(\d+)D$/.exec(value)?.[1] ?? value);
  const id = attr(process, "id") ?? null;
  if (days === "") {
    ctx.error(
      "history-ttl",
      "executable process has no camunda:historyTimeToLive: Camunda 7.23 refuses to deploy it; set it in days (e.g. 180)",
      process,
      id,
    );
  } else if (
    !/^[-+]?\d+$/.test(days) ||
    !Number.isSafeInteger(Number(days)) ||
    Number(days) > 2_147_483_647
  ) {
    ctx.error(
      "history-ttl",
      `camunda:historyTimeToLive "${value}" is not a number of days or P<n>D: the engine refuses the deployment; use e.g. 180 or P180D`,
      process,
      id,
    );
  } else if (Number(days) < 0) {
    ctx.error(
      "history-ttl",
      `camunda:historyTimeToLive "${value}" is negative: the engine refuses the deployment`,
      process,
      id,
    );
  }
}

/** One level of a process: the engine parses the kinds of children in a fixed order. */
export function parseScope(ctx: ParseContext, element: XmlElement, scope: Scope): void {
  const all = element.children;
  const catchEvents = all.filter((c) => c.tag === "intermediateCatchEvent");
  const compensationHandlers = new Map<string | undefined, XmlElement>();
  for (const c of all) {
    if (attr(c, "isForCompensation")?.toLowerCase() === "true") compensationHandlers.set(attr(c, "id"), c);
  }
  const handlerElements = new Set(compensationHandlers.values());
  parseStartEvents(ctx, element, scope);
  for (const activity of all) {
    if (activity.tag === "intermediateCatchEvent" || handlerElements.has(activity)) continue;
    parseActivity(ctx, activity, element, scope);
  }
  for (const event of catchEvents) {
    const id = attr(event, "id");
    if (id !== undefined && scope.activities.has(id)) continue;
    parseIntermediateCatchEvent(ctx, event, scope, null);
  }
  parseEndEvents(ctx, element, scope);
  parseBoundaryEvents(ctx, element, scope);
  parseSequenceFlows(ctx, element, scope, compensationHandlers);
  parseExecutionListeners(ctx, element, false);
  parseAssociations(ctx, element, scope, compensationHandlers);
  for (const handler of new Set(compensationHandlers.values())) parseActivity(ctx, handler, null, scope);
  for (const callback of scope.backlog) callback();
  if (scope.kind === "process") parseStartAuthorization(ctx, element);
}

/** The activity with this id at this level of the scope (multi-instance bodies are transparent). */
export function findAtLevel(scope: Scope, id: string | undefined | null): Activity | undefined {
  return id === undefined || id === null ? undefined : scope.activities.get(id);
}

/** The activity with this id anywhere inside the scope. */
export function findDeep(scope: Scope, id: string | undefined | null): Activity | undefined {
  if (id === undefined || id === null) return undefined;
  const here = scope.activities.get(id);
  if (here) return here;
  for (const activity of scope.activities.values()) {
    if (!activity.scope) continue;
    const found = findDeep(activity.scope, id);
    if (found) return found;
  }
  return undefined;
}

function parseSequenceFlows(
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

function parseAssociations(
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

function parseStartAuthorization(ctx: ParseContext, process: XmlElement): void {
  for (const starter of extensions(process, "potentialStarter")) {
    const expression = child(child(starter, "resourceAssignmentExpression") ?? starter, "formalExpression");
    if (!expression) continue;
    for (const entry of commaSeparated(expression.text)) {
      ctx.expression(entry.replace(/^(user|group)\((.*)\)$/, "$2").trim(), expression, "potential starter");
    }
  }
  for (const name of ["candidateStarterUsers", "candidateStarterGroups"]) {
    const value = camundaAttr(process, name);
    if (value === undefined) continue;
    for (const entry of commaSeparated(value)) ctx.expression(entry.trim(), process, `camunda:${name}`);
  }
}

function validateActivities(ctx: ParseContext, scope: Scope): void {
  for (const activity of scope.activities.values()) {
    if (activity.behavior === "exclusiveGateway") validateExclusiveGateway(ctx, activity);
    if (activity.asyncAfter) {
      for (const flow of activity.outgoing) {
        if (flow.id !== null) continue;
        ctx.error(
          "sequence-flows",
          `sequence flow from "${activity.id}" has no id, but "${activity.id}" is asyncAfter: the engine needs the id to continue`,
          flow.element,
          activity.id,
        );
      }
    }
    if (activity.scope) validateActivities(ctx, activity.scope);
  }
}

/** Diagram interchange: the engine reads shapes and edges of executable processes and checks them. */
function parseDiagrams(ctx: ParseContext): void {
  const participants = new Map<string, string>();
  const collaboration = child(ctx.root, "collaboration");
  for (const participant of collaboration ? children(collaboration, "participant") : []) {
    const processRef = attr(participant, "processRef");
    const id = attr(participant, "id");
    if (processRef && id !== undefined && ctx.processes.some((p) => p.id === processRef))
      participants.set(id, processRef);
  }
  for (const diagram of ctx.root.children.filter((c) => c.uri === BPMNDI_NS && c.local === "BPMNDiagram")) {
    const plane = diagram.children.find((c) => c.uri === BPMNDI_NS && c.local === "BPMNPlane");
    if (!plane) continue;
    const planeElement = attr(plane, "bpmnElement");
    if (planeElement === undefined || planeElement === "") {
      ctx.error("diagram", "BPMNPlane has no bpmnElement", plane);
      continue;
    }
    for (const shape of plane.children.filter((c) => c.uri === BPMNDI_NS && c.local === "BPMNShape")) {
      parseShape(ctx, shape, participants);
    }
    for (const edge of plane.children.filter((c) => c.uri === BPMNDI_NS && c.local === "BPMNEdge")) {
      parseEdge(ctx, edge);
    }
  }
}

function parseShape(ctx: ParseContext, shape: XmlElement, participants: Map<string, string>): void {
  const ref = attr(shape, "bpmnElement");
  if (ref === undefined || ref === "") {
    ctx.error("diagram", "BPMNShape has no bpmnElement", shape);
    return;
  }
  if (participants.has(ref)) {
    parseBounds(ctx, shape);
    return;
  }
  for (const process of ctx.processes) {
    if (findDeep(process, ref) || findDeep(process, ref.replace(/#multiInstanceBody$/, "")))
      parseBounds(ctx, shape);
    else if (!ctx.definitions.ids.has(ref)) {
      ctx.error("diagram", `BPMNShape refers to "${ref}", which is not in the file`, shape);
    }
  }
}

function parseBounds(ctx: ParseContext, shape: XmlElement): void {
  const bounds = shape.children.find((c) => c.uri === DC_NS && c.local === "Bounds");
  if (!bounds) {
    ctx.error("diagram", "BPMNShape has no dc:Bounds", shape);
    return;
  }
  for (const name of ["x", "y", "width", "height"]) number(ctx, shape, name, attr(bounds, name));
}

function number(ctx: ParseContext, element: XmlElement, name: string, value: string | undefined): void {
  if (value === undefined || value === "") ctx.error("diagram", `${name} is required`, element);
  else if (!isJavaDouble(value)) ctx.error("diagram", `${name}="${value}" is not a number`, element);
}

/** What Java's Double.parseDouble accepts (trimmed decimal or hexadecimal, NaN, Infinity, d/f suffix). */
function isJavaDouble(text: string): boolean {
  const t = text.trim();
  return (
    /^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)$/.test(t) ||
    /^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?$/.test(t)
  );
}

function parseEdge(ctx: ParseContext, edge: XmlElement): void {
  const ref = attr(edge, "bpmnElement");
  if (ref === undefined || ref === "") {
    ctx.error("diagram", "BPMNEdge has no bpmnElement", edge);
    return;
  }
  if (ctx.sequenceFlows.has(ref)) {
    const waypoints = edge.children.filter((c) => c.uri === DI_NS && c.local === "waypoint");
    if (waypoints.length < 2) {
      ctx.error("diagram", "BPMNEdge needs at least two di:waypoint elements", edge);
      return;
    }
    for (const point of waypoints) {
      number(ctx, point, "x", attr(point, "x"));
      number(ctx, point, "y", attr(point, "y"));
    }
  } else if (!ctx.definitions.ids.has(ref)) {
    ctx.error("diagram", `BPMNEdge refers to "${ref}", which is not in the file`, edge);
  }
}
