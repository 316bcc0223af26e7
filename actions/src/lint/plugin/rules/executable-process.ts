import { defineRule, is } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "executable-process",
  appliesTo: "bpmn",
  consequence: "runtime",
  description:
    "A process with flow elements in a file meant for release must be executable; the engine silently skips it otherwise.",
  create: (_config, context) => (node, reporter) => {
    if (!is(node, "bpmn:Process") || !context.file.releasable) return undefined;
    if (node.isExecutable === true || (node.flowElements ?? []).length === 0) return undefined;
    reporter.report(
      node.id,
      'process is not executable, so the engine deploys nothing for it; set isExecutable="true", or list the file under camunda-gitops.notForRelease in processes/.bpmnlintrc',
    );
    return undefined;
  },
});
