import { defineRule, idOf, is } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "history-ttl",
  appliesTo: "both",
  description:
    "Executable processes and decisions need a valid camunda:historyTimeToLive (days, or P<n>D): 7.23 refuses to deploy them otherwise.",
  create: () => (node, reporter) => {
    const isProcess = is(node, "bpmn:Process") && node.isExecutable === true;
    if (!isProcess && !is(node, "dmn:Decision")) return undefined;
    const what = isProcess ? "executable process" : "decision";
    const raw = node.historyTimeToLive;
    const value = raw === undefined || raw === null ? "" : String(raw).trim();
    if (value === "") {
      reporter.report(
        idOf(node),
        `${what} has no camunda:historyTimeToLive: Camunda 7.23 refuses to deploy it; set it in days (e.g. 180)`,
      );
    } else if (!/^(\d+|P\d+D)$/.test(value)) {
      reporter.report(
        idOf(node),
        `camunda:historyTimeToLive "${value}" is not a number of days or P<n>D: the deployment fails; use e.g. 180 or P180D`,
      );
    }
    return undefined;
  },
});
