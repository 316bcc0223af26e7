import { defineRule, engineResult, idOf, is, reportEngineFinding } from "#core/lint/plugin/helpers.js";

/** P<days>D or a whole number of days, as the engine reads camunda:historyTimeToLive. */
const TTL = /^(?:P(\d+)D|([-+]?\d+))$/;

export default defineRule({
  name: "history-ttl",
  appliesTo: "both",
  consequence: "deploy",
  description:
    "Executable processes and decisions need a valid camunda:historyTimeToLive (days, or P<n>D): 7.23 refuses to deploy them otherwise.",
  create: (_config, context) => (node, reporter) => {
    if (context.file.kind === "bpmn") {
      if (node !== context.file.root) return false;
      for (const finding of engineResult(context)?.findings ?? []) {
        if (finding.rule === "history-ttl") reportEngineFinding(reporter, finding);
      }
      return false;
    }
    if (!is(node, "dmn:Decision")) return undefined;
    const raw = node.historyTimeToLive;
    const value = raw === undefined || raw === null ? "" : String(raw);
    const days = TTL.exec(value);
    if (value === "") {
      reporter.report(
        idOf(node),
        "decision has no camunda:historyTimeToLive: Camunda 7.23 refuses to deploy it; set it in days (e.g. 180)",
      );
    } else if (!days || Number(days[1] ?? days[2]) < 0) {
      reporter.report(
        idOf(node),
        `camunda:historyTimeToLive "${value}" is not a number of days or P<n>D: the deployment fails; use e.g. 180 or P180D`,
      );
    }
    return undefined;
  },
});
