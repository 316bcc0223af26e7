import type { Consequence } from "../types.js";
import { ACTIVITI_NS, attr, CAMUNDA_NS, type XmlElement } from "./xml.js";

/** A problem the engine's BPMN parser would raise, with the element it would name. */
export interface EngineFinding {
  /** The project rule that reports it (without the plugin prefix). */
  rule: string;
  message: string;
  /** Where the engine points: just after this element's start tag. Null: the element is unknown. */
  element: XmlElement | null;
  /** The id the engine names (its `mainElementId`), or the nearest id for a reader. */
  elementId: string | null;
  /** Set when the finding is not a rejection (e.g. a timer value that fails only when the timer starts). */
  consequence?: Consequence;
}

/** An expression the engine compiles while it parses the model (JUEL), with where it is written. */
export interface CompiledExpression {
  text: string;
  element: XmlElement;
  /** What the expression is, for messages: "camunda:assignee", "condition", … */
  what: string;
  elementId: string | null;
  /** False for expressions compiled only when they run (JUEL scripts): syntax errors then fail at run time. */
  atDeploy: boolean;
}

/** A script the model carries (script task, listener, I/O parameter, condition). */
export interface EmbeddedScript {
  element: XmlElement;
  language: string;
  /** Inline source, or null when it comes from `camunda:resource`. */
  source: string | null;
  resource: string | null;
  what: string;
  elementId: string | null;
}

/** Java code a model names: a class the engine instantiates, or a bean a delegate expression resolves. */
export interface CodeReference {
  kind: "class" | "delegateExpression";
  value: string;
  element: XmlElement;
  what: string;
  elementId: string | null;
}

/**
 * One activity as the engine's process virtual machine builds it. Only what the parser's checks
 * read is kept.
 */
export interface Activity {
  id: string | null;
  element: XmlElement;
  /** The engine's activity type: the tag name, refined for events (e.g. "compensationBoundaryCatch"). */
  type: string;
  /** The scope whose children include this activity (through its multi-instance body, if any). */
  flowScope: Scope;
  /** Where this activity's events are caught (boundary and event-subprocess start events). */
  eventScope: Scope | Activity | null;
  /** Holds child activities (sub-process, transaction, event sub-process). */
  scope: Scope | null;
  /** Subscriptions and handlers of an activity that is an event scope but holds no activities. */
  events: Scope | null;
  multiInstance: boolean;
  /** isForCompensation="true": started only by compensation. */
  isCompensationHandler: boolean;
  asyncAfter: boolean;
  triggeredByEvent: boolean;
  /** Behaviour set by the parser; null where the engine leaves it unset (a rejection follows). */
  behavior: string | null;
  outgoing: Flow[];
  /** An intermediate catch event that an event-based gateway waits for. */
  afterEventGateway: boolean;
  /** Its compensation handler (an activity, or an event sub-process with a compensation start event). */
  compensationHandler: { id: string; subProcess: boolean } | null;
}

export interface Flow {
  id: string | null;
  element: XmlElement;
  hasCondition: boolean;
}

export interface EscalationHandler {
  code: string | null;
  subProcess: boolean;
}

/** A process or an activity that holds others. */
export interface Scope {
  id: string | null;
  element: XmlElement;
  kind: "process" | "subProcess" | "transaction";
  /** Set for sub-processes: the activity that is this scope. */
  activity: Activity | null;
  parent: Scope | null;
  activities: Map<string, Activity>;
  /** Message, signal and conditional subscriptions declared on this scope. */
  subscriptions: Array<{
    type: "message" | "signal" | "conditional";
    name: string;
    startEvent: boolean;
    activityId: string | null;
  }>;
  escalationHandlers: EscalationHandler[];
  /** Checks that run once the whole scope is parsed (the engine's backlog). */
  backlog: Array<() => void>;
}

export interface Definitions {
  targetNamespace: string | null;
  prefixes: Map<string, string>;
  messages: Map<string, { name: string | undefined }>;
  signals: Map<string, { name: string }>;
  errors: Map<string | undefined, { errorCode: string | undefined }>;
  escalations: Map<string, { code: string | null }>;
  /** Every id of every element of the file. */
  ids: Set<string>;
}

/** Collects findings, compiled expressions and scripts while the parse walks the tree. */
export class ParseContext {
  readonly findings: EngineFinding[] = [];
  readonly expressions: CompiledExpression[] = [];
  readonly scripts: EmbeddedScript[] = [];
  readonly processes: Scope[] = [];
  /** Classes the engine loads while parsing (form handlers), to check against its class path. */
  readonly classes: Array<{ className: string; element: XmlElement; what: string }> = [];
  /** Java classes and delegate expressions the model names. */
  readonly code: CodeReference[] = [];
  /** Connectors (`camunda:connector`) and their ids. */
  readonly connectors: Array<{ element: XmlElement; connectorId: string; ownerId: string | null }> = [];
  /** Mail tasks: the engine instantiates their behaviour, which needs Commons Email, while parsing. */
  readonly mailTasks: XmlElement[] = [];
  /** Sequence flows of the process parsed last, by id, as the engine keeps them for the diagram. */
  sequenceFlows = new Set<string>();
  /** Throwing link events (id → link name) and catching ones (link name → id), for the whole file. */
  readonly linkSources = new Map<string, string>();
  readonly linkTargets = new Map<string, string | undefined>();

  constructor(
    readonly root: XmlElement,
    readonly definitions: Definitions,
  ) {}

  /**
   * The engine's `addError(message, element, elementIds…)`: the position is the element's, the main id
   * the first id given, else the element's own.
   */
  error(rule: string, message: string, element: XmlElement | null, mainId?: string | null): void {
    this.findings.push({ rule, message, element, elementId: mainId ?? idOf(element) });
  }

  /** A finding that is not a rejection: the model deploys, then fails or misbehaves at run time. */
  runtime(rule: string, message: string, element: XmlElement | null, mainId?: string | null): void {
    this.findings.push({
      rule,
      message,
      element,
      elementId: mainId ?? idOf(element),
      consequence: "runtime",
    });
  }

  expression(
    text: string,
    element: XmlElement,
    what: string,
    elementId?: string | null,
    atDeploy = true,
  ): void {
    this.expressions.push({ text, element, what, elementId: elementId ?? idOf(element), atDeploy });
  }

  javaCode(
    kind: CodeReference["kind"],
    value: string,
    element: XmlElement,
    what: string,
    elementId?: string | null,
  ): void {
    this.code.push({ kind, value, element, what, elementId: elementId ?? idOf(element) });
  }

  script(
    element: XmlElement,
    language: string,
    source: string | null,
    resource: string | null,
    what: string,
    elementId?: string | null,
  ): void {
    this.scripts.push({ element, language, source, resource, what, elementId: elementId ?? idOf(element) });
  }
}

/**
 * The id of the BPMN element a reader looks for: the element's own, or its nearest ancestor's.
 * Ids of Camunda extension elements (form fields, listeners) are not element ids of the model.
 */
export function idOf(element: XmlElement | null): string | null {
  for (let current = element; current; current = current.parent) {
    if (current.uri === CAMUNDA_NS || current.uri === ACTIVITI_NS) continue;
    const id = attr(current, "id");
    if (id !== undefined) return id;
  }
  return null;
}
