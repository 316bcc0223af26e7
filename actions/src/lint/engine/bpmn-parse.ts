/**
 * What the Camunda 7.23 engine checks when it parses a BPMN deployment, followed in the order the
 * engine's parser works (definitions, then each executable process scope by scope, then the diagram),
 * so that a finding appears exactly when the engine would refuse the deployment, pointing at the
 * element the engine would name. Written from the engine's behaviour, not its code.
 */
import { parseActivity } from "./activities.js";
import { parseBoundaryEvents, parseEndEvents, parseIntermediateCatchEvent } from "./catch-events.js";
import { type Activity, type Definitions, type EngineFinding, ParseContext, type Scope } from "./context.js";
import { parseDiagrams } from "./diagram.js";
import { commaSeparated, parseExecutionListeners, parsePriority } from "./extensions.js";
import { parseAssociations, parseSequenceFlows } from "./flows.js";
import { validateExclusiveGateway } from "./gateways.js";
import { checkSchema } from "./schema.js";
import { parseStartEvents } from "./start-events.js";
import {
  attr,
  camundaAttr,
  child,
  children,
  descendants,
  extensions,
  XMLNS_NS,
  type XmlElement,
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
