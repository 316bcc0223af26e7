import { engineRule } from "#core/lint/plugin/helpers.js";

/**
 * Rules that report what the engine's BPMN parser refuses, found by the engine-faithful parse
 * (`actions/src/lint/engine/`). Each has a page in docs/lint/rules/ with a failing and a fixed example.
 */
export const engineRules = [
  engineRule({
    name: "schema",
    description:
      "What the engine's BPMN schema validation refuses: attributes BPMN does not define (without a namespace), and id references (sourceRef, default, flowNodeRef) to nothing.",
  }),
  engineRule({
    name: "definitions",
    description:
      "Messages, signals, errors and escalations need ids (signals also unique names); imports are not supported.",
  }),
  engineRule({
    name: "start-events",
    description:
      "Processes and sub-processes need a start event; one none or timer start per process, one start per sub-process, typed starts only in event sub-processes.",
  }),
  engineRule({
    name: "event-definitions",
    description:
      "Catch and boundary events need an event definition the engine supports; conditional events need a condition.",
  }),
  engineRule({
    name: "event-subscriptions",
    description:
      "Per scope, one event per message or signal name and one conditional start per condition; messages need a name, message start names no expression.",
  }),
  engineRule({
    name: "escalations",
    description:
      "Escalation references must exist, thrown escalations need a code, boundary escalations attach to sub-processes, call activities or user tasks, one handler per code and scope.",
  }),
  engineRule({
    name: "compensation",
    description:
      "Compensation handlers have no sequence flows, boundary compensation events are associated with a handler, and one compensation handler per activity.",
  }),
  engineRule({
    name: "transactions",
    description:
      "Cancel events belong to transaction sub-processes: one cancel boundary event per transaction, cancel end events inside one.",
  }),
  engineRule({
    name: "sequence-flows",
    description:
      "Sequence flows connect activities of one scope, never enter or leave event sub-processes, and have ids after asyncAfter; link events pair up by name.",
  }),
  engineRule({
    name: "gateways",
    description:
      "Exclusive gateways need outgoing flows, conditions on every non-default flow, none on the default; event-based gateways lead only to intermediate catch events.",
  }),
  engineRule({
    name: "attribute-values",
    description:
      "Attribute values the engine reads at deployment: priorities are numbers, formRefBinding and mapDecisionResult known values, formKey or formRef, no resultVariable with class.",
  }),
  engineRule({
    name: "listeners-and-mappings",
    description:
      "Listeners need a valid event and an implementation; input/output mappings, field injections and scripts need what the engine reads.",
  }),
  engineRule({
    name: "forms",
    description:
      "Generated form fields need an id and a known type; validators must exist; form property flags are booleans.",
  }),
  engineRule({
    name: "multi-instance",
    description:
      "Multi-instance activities need a loop cardinality or a collection; an element variable needs a collection.",
  }),
  engineRule({
    name: "call-activities",
    description:
      "Call activities name a process (or case) once; version bindings need the version; camunda:in/out pass a source and a target.",
  }),
  engineRule({
    name: "diagram",
    description: "Diagram shapes and edges refer to elements of the file and carry bounds and waypoints.",
  }),
  engineRule({
    name: "topic-required",
    description: 'An external task (camunda:type="external") must name the camunda:topic a worker fetches.',
  }),
  engineRule({
    name: "service-task-implementation",
    description:
      "Service, send and business rule tasks and message throw events need an implementation (external topic, class, expression, delegateExpression or connector); script tasks need a script.",
  }),
  engineRule({
    name: "timer-definition",
    description:
      "Timers need one of timeDate, timeCycle or timeDuration with a value the engine can schedule (ISO 8601, cron, or an expression).",
  }),
  engineRule({
    name: "gateway-flow-conditions",
    consequence: "style",
    description:
      "An exclusive gateway's only flow without a condition is taken as its default: mark it as the default flow.",
  }),
];
