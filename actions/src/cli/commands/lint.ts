import { writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { cliNames, parseOptions } from "#core/options/rules.js";

const help = `Usage: camunda-gitops lint [paths...] [options]

Lints BPMN and DMN files (default: processes/) with bpmnlint's recommended rules and the project's
Camunda 7.23 rule pack, configured by processes/.bpmnlintrc. Cross-file checks use every model under
processes/ and the worker topic registry (workers/src/registry.ts).

Every finding says what happens if it ships: deploy (the engine rejects the deployment), runtime (it
deploys, then fails when reached), policy (this repository's rules, e.g. no code inside processes),
style (readability in the Modeler). Deploy, runtime and policy findings are errors, style warnings,
unless processes/.bpmnlintrc names the rule under "rules". Each rule: docs/lint/rules/<rule>.md.

Options:
  --format <f>          text (default), json, github (workflow annotations) or sarif (SARIF 2.1.0)
  --max-warnings <n>    fail when there are more than n warnings (default: warnings never fail)
  --fail-on <level>     error (default: any error fails), warning (any warning too) or never
                        (as the lint-processes action's fail-on input)
  --config <file>       bpmnlint configuration to use instead of processes/.bpmnlintrc
  --output <file>       write the report to a file instead of standard output

Suppress a finding with a reason, in the model:
  <!-- camunda-gitops-disable rule-name: reason -->       before the element
  <!-- camunda-gitops-disable-file rule-name: reason -->  anywhere, for the whole file
or in .bpmnlintrc under "camunda-gitops": {"suppress": [{"file", "elementId", "rule", "reason"}]}.
Code inside processes (scripts, Java classes, delegate expressions, connectors, method calls) is
waived only in .bpmnlintrc: "camunda-gitops": {"allowCode": [{"file", "elementId", "rule", "reason"}]}.

Exit codes: 0 no errors (and warnings within the limit), 1 findings fail, 2 usage error.`;

export const command: Command = {
  help,
  async run(argv, { root, importModule }) {
    const { values, positionals } = parseCommandArgs(
      "lint",
      argv,
      {
        format: { type: "string" },
        "max-warnings": { type: "string" },
        "fail-on": { type: "string" },
        config: { type: "string" },
        output: { type: "string" },
      },
      true,
    );
    // The linter loads only now: `lint --help` stays as fast as the CLI's own start.
    const { DEFAULT_REGISTRY_FILE, formatReport, lint } = await import("#core/lint/index.js");
    const { lintFails, lintOptions } = await import("#core/options/lint.js");
    const options = parseOptions(lintOptions, values, cliNames("lint"));
    const report = await lint({
      root,
      ...(importModule ? { registry: { file: DEFAULT_REGISTRY_FILE, importModule } } : {}),
      ...(positionals.length > 0 ? { paths: positionals } : {}),
      ...(options.configFile ? { configFile: options.configFile } : {}),
    });
    const output = formatReport(report, options.format, {
      colour: values.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR,
      version: process.env.npm_package_version ?? "0.1.0",
      docsBase: `${pathToFileURL(root).href}/`,
    });
    if (values.output) await writeFile(values.output, output);
    else process.stdout.write(output);
    return lintFails(report, options) ? 1 : 0;
  },
};
