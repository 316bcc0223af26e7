import path from "node:path";
import { type Command, parseCommandArgs } from "#core/cli/command.js";
import {
  addRunningInstances,
  type DiffReport,
  diffRepository,
  formatJson,
  formatMarkdown,
  formatText,
  renderHtmlReport,
  writeReviewOutputs,
} from "#core/diff/index.js";
import { runningLocalEngine } from "#core/engine/running.js";
import { topLevel } from "#core/git/repository.js";
import { type DiffFormat, diffOptions } from "#core/options/diff.js";
import { cliNames, parseOptions } from "#core/options/rules.js";
import { connect } from "#core/release/connect.js";
import { UsageError } from "#core/util/errors.js";
import { step } from "#core/util/progress.js";

const help = `Usage: camunda-gitops diff [paths...] [--base <ref>] [--head <ref>] [--format <f>] [--out <dir>]

Shows what changed in the BPMN and DMN files (default: processes/) between two commits, as a
reviewer reads it: elements added, removed and changed with every property before → after (Camunda
extensions included: topics, async flags, I/O mappings, listeners, timers, conditions, decisionRef,
calledElement, candidate groups, form keys, history time to live, version tag), probable renames,
migration-relevant changes marked "!", layout-only changes apart, and decision tables rule by rule.

Options:
  --base <ref>       compare from this commit (default: the merge base of the head and the main branch)
  --head <ref>       compare to this commit (default: the working tree, uncommitted and new files included)
  --format <f>       text (default), markdown, json (stable contract) or html (self-contained report)
  --out <dir>        also write report.json, report.md, report.html and before/after pictures
                     (pictures/<file>.before|after.svg|png, drawn with bpmn-js in Chromium) into <dir>
  --no-pictures      with --out: skip the pictures (no browser needed)
  --env <name>       count the running instances in each removed or migration-relevant activity in that
                     environment (read-only; CAMUNDA_USERNAME / CAMUNDA_PASSWORD, e.g. plan credentials)
  --verbose          text format: list every layout change

Exit codes: 0 compared (with or without changes), 1 a file could not be compared or the engine could
not be read, 2 usage error.`;

async function render(
  report: DiffReport,
  format: DiffFormat,
  verbose: boolean,
  note: string | null,
  toolRoot: string,
): Promise<string> {
  switch (format) {
    case "json":
      return formatJson(report);
    case "markdown":
      return formatMarkdown(report, { note });
    case "html":
      return renderHtmlReport(report, { toolRoot, note });
    default:
      return formatText(report, {
        colour: process.stdout.isTTY === true && !process.env.NO_COLOR,
        verbose,
      });
  }
}

export const command: Command = {
  help,
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs(
      "diff",
      argv,
      {
        base: { type: "string" },
        head: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        "no-pictures": { type: "boolean" },
        env: { type: "string" },
        verbose: { type: "boolean" },
      },
      true,
    );
    const options = parseOptions(
      diffOptions,
      { ...values, environment: values.env },
      cliNames("diff", { environment: "env" }),
    );
    const cwd = process.cwd();
    const repo = await topLevel(cwd);
    if (!repo) throw new UsageError(`diff: ${cwd} is not inside a git repository; run it in a clone.`);
    const report = await diffRepository({
      repoRoot: repo,
      base: options.base,
      head: options.head,
      paths: positionals.map((p) => path.resolve(cwd, p)),
    });

    let note: string | null = null;
    if (options.environment) {
      const environment = options.environment;
      const connection = connect(environment, {
        root: context.root,
        localEngine: runningLocalEngine(context.root),
      });
      note = await step(`Counting running instances in ${environment}`, () =>
        addRunningInstances(report, {
          environment,
          client: connection.client,
          tenantId: connection.target.tenantId,
        }),
      );
    }
    if (options.out) {
      const outDir = path.resolve(cwd, options.out);
      const result = await step(`Writing the review to ${path.relative(cwd, outDir) || "."}`, (s) =>
        writeReviewOutputs(report, {
          outDir,
          toolRoot: context.root,
          pictures: options.pictures,
          note,
          onProgress: s.update,
        }),
      );
      for (const line of result.notes) process.stderr.write(`note: ${line}\n`);
    }
    process.stdout.write(await render(report, options.format, options.verbose, note, context.root));
    if (note && options.format === "text") process.stdout.write(`${note}\n`);
    return report.files.some((f) => f.problem) ? 1 : 0;
  },
};
