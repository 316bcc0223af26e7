import { defineRule, expressionText, idOf, is } from "#core/lint/plugin/helpers.js";
import { isIsoDateTime, isIsoDuration, isTimeCycle } from "#core/lint/syntax/iso8601.js";
import { checkJuel } from "#core/lint/syntax/juel.js";

const KINDS = [
  {
    property: "timeDate",
    label: "timeDate",
    valid: isIsoDateTime,
    expected: "an ISO 8601 date-time such as 2026-01-31T09:00:00Z",
  },
  {
    property: "timeDuration",
    label: "timeDuration",
    valid: isIsoDuration,
    expected: "an ISO 8601 duration such as PT15M or P3D",
  },
  {
    property: "timeCycle",
    label: "timeCycle",
    valid: isTimeCycle,
    expected: "an ISO 8601 cycle such as R3/PT10M, or a cron expression",
  },
] as const;

export default defineRule({
  name: "timer-definition",
  appliesTo: "bpmn",
  description:
    "Timers need exactly one of timeDate, timeDuration, timeCycle, holding a valid ISO 8601 value or an expression.",
  create: () => (node, reporter) => {
    if (!is(node, "bpmn:TimerEventDefinition")) return undefined;
    const event = node.$parent;
    const set = KINDS.filter((kind) => node[kind.property]);
    if (set.length === 0) {
      reporter.report(
        idOf(event),
        "timer has no timeDate, timeDuration or timeCycle: the engine refuses to deploy it; set one",
      );
      return undefined;
    }
    if (set.length > 1) {
      reporter.report(idOf(event), `timer sets ${set.map((k) => k.label).join(" and ")}: set exactly one`);
    }
    for (const kind of set) {
      const value = (expressionText(node[kind.property]) ?? "").trim();
      if (value.includes("${") || value.includes("#{")) {
        const problem = checkJuel(value);
        if (problem)
          reporter.report(idOf(event), `${kind.label} "${value}" is not a valid expression: ${problem}`);
      } else if (!kind.valid(value)) {
        reporter.report(idOf(event), `${kind.label} "${value}" is not ${kind.expected}`);
      }
    }
    return undefined;
  },
});
