/**
 * A process model as migration sees it: for every flow node, the behaviour the engine gives it (a user
 * task, an external task, a call activity, a timer catch event …), the scope it sits in, whether it is
 * multi-instance or asynchronous, and what an event waits for. The engine maps an instance only between
 * activities of the same behaviour in corresponding scopes, so this is what the plan compares.
 */
import { canHoldInstances, collectElements } from "#core/diff/bpmn-elements.js";
import { type ModdleElement, parseModel } from "#core/lint/parse.js";

export interface FlowNode {
  id: string;
  name: string | null;
  /** What the engine executes, in words: "user task", "external task", "timer catch event", … */
  behaviour: string;
  /** Sub-process id the node sits in, or null at the process level. */
  scope: string | null;
  multiInstance: boolean;
  asyncBefore: boolean;
  asyncAfter: boolean;
  /** For events: "timer", "message", "signal", "conditional", "error", … (null for others). */
  trigger: string | null;
  /** For boundary events: the activity they are attached to. */
  attachedTo: string | null;
  /** For event-based gateways: the events that follow it. */
  following: string[];
  /** Can running instances (or their subscriptions and jobs) sit here? */
  holdsInstances: boolean;
}

export interface ProcessModel {
  key: string;
  versionTag: string | null;
  nodes: Map<string, FlowNode>;
}

function flag(element: ModdleElement, name: string): boolean {
  const value = element.get ? element.get(name) : element[name];
  return value === true || value === "true";
}

function trigger(element: ModdleElement): string | null {
  const definitions: ModdleElement[] = element.eventDefinitions ?? [];
  if (definitions.length === 0) return null;
  return definitions
    .map((d) =>
      String(d.$type ?? "")
        .replace(/^bpmn:/, "")
        .replace(/EventDefinition$/, "")
        .toLowerCase(),
    )
    .sort()
    .join("+");
}

const TASK_LABELS: Record<string, string> = {
  "bpmn:UserTask": "user task",
  "bpmn:ScriptTask": "script task",
  "bpmn:ReceiveTask": "receive task",
  "bpmn:ManualTask": "manual task",
  "bpmn:Task": "task",
  "bpmn:CallActivity": "call activity",
  "bpmn:SubProcess": "sub-process",
  "bpmn:Transaction": "transaction",
  "bpmn:AdHocSubProcess": "ad-hoc sub-process",
  "bpmn:EventBasedGateway": "event-based gateway",
  "bpmn:ParallelGateway": "parallel gateway",
  "bpmn:InclusiveGateway": "inclusive gateway",
  "bpmn:ExclusiveGateway": "exclusive gateway",
  "bpmn:ComplexGateway": "complex gateway",
};

/** The engine's behaviour class in words: two nodes migrate into each other only when these agree. */
export function behaviourOf(element: ModdleElement): string {
  const type: string = element.$type;
  if (type === "bpmn:SubProcess" && element.triggeredByEvent) return "event sub-process";
  if (TASK_LABELS[type]) return TASK_LABELS[type];
  if (["bpmn:ServiceTask", "bpmn:SendTask", "bpmn:BusinessRuleTask"].includes(type)) {
    const implementation = element.get ? element.get("camunda:type") : undefined;
    if (implementation === "external") return "external task";
    if (type === "bpmn:BusinessRuleTask" && element.get?.("camunda:decisionRef")) return "decision task";
    return `${type
      .replace(/^bpmn:/, "")
      .replace(/Task$/, "")
      .toLowerCase()} task (Java or expression)`;
  }
  if (/Event$/.test(type)) {
    const kind = trigger(element) ?? "none";
    const where = type.replace(/^bpmn:/, "").replace(/Event$/, "");
    const words = where.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
    return `${kind} ${words} event`;
  }
  return type.replace(/^bpmn:/, "");
}

function processOf(definitions: ModdleElement, key: string): ModdleElement | undefined {
  return (definitions?.rootElements ?? []).find(
    (e: ModdleElement) => e.$type === "bpmn:Process" && e.id === key,
  );
}

/** Reads the process `key` of a BPMN file (null when the file does not define it). */
export async function readProcessModel(xml: string, key: string): Promise<ProcessModel | null> {
  const { root } = await parseModel("bpmn", xml);
  const process = processOf(root, key);
  if (!process) return null;
  const nodes = new Map<string, FlowNode>();
  for (const record of collectElements(root).values()) {
    if (record.process !== key || !record.element.$instanceOf?.("bpmn:FlowNode")) continue;
    const element = record.element;
    const loop = element.loopCharacteristics;
    nodes.set(record.id, {
      id: record.id,
      name: record.name,
      behaviour: behaviourOf(element),
      scope: record.scope === key ? null : record.scope,
      multiInstance: loop?.$type === "bpmn:MultiInstanceLoopCharacteristics",
      asyncBefore: flag(element, "camunda:asyncBefore") || flag(element, "camunda:async"),
      asyncAfter: flag(element, "camunda:asyncAfter"),
      trigger: /Event$/.test(element.$type) ? trigger(element) : null,
      attachedTo: element.attachedToRef?.id ?? null,
      following:
        element.$type === "bpmn:EventBasedGateway"
          ? (element.outgoing ?? []).map((flow: ModdleElement) => flow.targetRef?.id).filter(Boolean)
          : [],
      holdsInstances: canHoldInstances(element),
    });
  }
  const tag = process.get ? process.get("camunda:versionTag") : undefined;
  return { key, versionTag: typeof tag === "string" && tag.trim() ? tag.trim() : null, nodes };
}

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

/** `1.4.2`, `v1.4.2`, `1.4.2-rc1` → {1, 4, 2}; anything else → null. */
export function semver(tag: string | null): SemVer | null {
  const match = tag ? /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(tag) : null;
  return match ? { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) } : null;
}
