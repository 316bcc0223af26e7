/**
 * Words for the messages: element types as a modeler names them ("timer boundary event"), property
 * paths as a reviewer reads them ("external task topic"), and values cut to a readable length.
 */
import type { ModdleElement } from "#core/lint/parse.js";

/** `bpmn:ServiceTask` → `service task`; events say their kind: `timer boundary event`. */
export function elementTypeLabel(element: ModdleElement): string {
  const type: string = element.$type ?? "";
  const local = type.slice(type.indexOf(":") + 1);
  let words = local
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase();
  if (type === "bpmn:SubProcess" && element.triggeredByEvent) words = "event sub-process";
  else words = words.replace(/^sub process$/, "sub-process");
  const definitions: ModdleElement[] = element.eventDefinitions ?? [];
  const first = definitions[0]?.$type;
  if (first && definitions.length === 1) {
    const kind = first
      .slice(first.indexOf(":") + 1)
      .replace(/EventDefinition$/, "")
      .toLowerCase();
    words = `${kind} ${words}`;
  } else if (definitions.length > 1) {
    words = `multiple ${words}`;
  }
  return words;
}

/** What a reviewer calls the properties that change most often; anything else keeps its path. */
const PROPERTY_LABELS: Record<string, string> = {
  name: "name",
  "camunda:topic": "external task topic",
  "camunda:type": "implementation type",
  "camunda:class": "Java class",
  "camunda:delegateExpression": "delegate expression",
  "camunda:expression": "expression",
  "camunda:asyncBefore": "async before",
  "camunda:asyncAfter": "async after",
  "camunda:exclusive": "exclusive job",
  "camunda:decisionRef": "called decision",
  "camunda:calledElement": "called process",
  calledElement: "called process",
  "camunda:candidateGroups": "candidate groups",
  "camunda:candidateUsers": "candidate users",
  "camunda:assignee": "assignee",
  "camunda:formKey": "form key",
  "camunda:historyTimeToLive": "history time to live",
  "camunda:versionTag": "version tag",
  "camunda:jobPriority": "job priority",
  "camunda:taskPriority": "task priority",
  "camunda:resultVariable": "result variable",
  "camunda:mapDecisionResult": "decision result mapping",
  conditionExpression: "condition",
  "timerEventDefinition.timeDuration": "timer duration",
  "timerEventDefinition.timeDate": "timer date",
  "timerEventDefinition.timeCycle": "timer cycle",
  attachedToRef: "attached to",
  cancelActivity: "interrupting",
  isInterrupting: "interrupting",
  default: "default flow",
  sourceRef: "source",
  targetRef: "target",
  scope: "scope (process or sub-process)",
  multiInstance: "multi-instance",
  loop: "loop",
  documentation: "documentation",
  isExecutable: "executable",
};

export function propertyLabel(property: string): string {
  const known = PROPERTY_LABELS[property];
  if (known) return known;
  const listener = /^camunda:(execution|task)Listener\[([^\]]+)\]/.exec(property);
  if (listener) return `${listener[1]} listener on ${listener[2]}${property.slice(listener[0].length)}`;
  const parameter = /^camunda:(input|output)Parameter\[([^\]]+)\]$/.exec(property);
  if (parameter) return `${parameter[1]} mapping ${parameter[2]}`;
  return property;
}

/** A value as it appears in a sentence: quoted, one line, at most `max` characters. */
export function quote(value: string | null, max = 120): string {
  if (value === null) return "(none)";
  const line = value.replace(/\s+/g, " ").trim();
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return `"${cut}"`;
}

/** `service task Task_Check "Check policy"` */
export function elementLabel(typeLabel: string, id: string, name: string | null | undefined): string {
  return `${typeLabel} ${id}${name ? ` "${name}"` : ""}`;
}
