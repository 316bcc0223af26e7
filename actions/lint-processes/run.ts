/**
 * The lint-processes action: the core's linter over the workspace's models, reported as GitHub shows
 * findings best — annotations on the lines (as many as GitHub keeps), a SARIF file for code scanning,
 * and the job summary with every finding — and a failed step when findings fail the run.
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  ANNOTATIONS_PER_KIND,
  DEFAULT_REGISTRY_FILE,
  type Finding,
  formatMarkdown,
  formatReport,
  lint,
} from "#core/lint/index.js";
import { importRegistryWithTsx } from "#core/lint/registry-import.js";
import { lintFails, lintOptions } from "#core/options/lint.js";
import { type ActionDefinition, runAction } from "../shared/run-action.js";
import { githubRunner, listInput, type Runner } from "../shared/runner.js";

/** The pull request's head commit when there is one: line links must show the reviewed file. */
function headSha(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8"));
    return event?.pull_request?.head?.sha ?? env.GITHUB_SHA;
  } catch {
    return env.GITHUB_SHA;
  }
}

function annotate(runner: Runner, f: Finding): void {
  const level = f.severity === "error" ? "error" : f.severity === "warning" ? "warning" : "notice";
  runner.annotate(level, f.message, {
    file: f.file,
    startLine: f.line,
    startColumn: f.column,
    title: `${f.consequence}: ${f.rule}${f.elementId ? ` (${f.elementId})` : ""}`,
  });
}

export const lintProcesses: ActionDefinition<typeof lintOptions> = {
  what: "Process lint",
  options: lintOptions,
  inputs: ["config", "fail-on"],
  async run(options, { runner, workspace }) {
    const paths = listInput(runner, "paths");
    const report = await lint({
      root: workspace,
      paths: (paths.length > 0 ? paths : ["processes"]).map((p) => path.resolve(workspace, p)),
      ...(options.configFile ? { configFile: path.resolve(workspace, options.configFile) } : {}),
      registry: {
        file: DEFAULT_REGISTRY_FILE,
        importModule: (file) => importRegistryWithTsx(workspace, file),
      },
    });

    // GitHub keeps only the first annotations of each kind per step; say so rather than drop them silently.
    const shown: Record<string, number> = {};
    let omitted = 0;
    for (const f of report.findings) {
      shown[f.severity] = (shown[f.severity] ?? 0) + 1;
      if ((shown[f.severity] ?? 0) > ANNOTATIONS_PER_KIND) omitted++;
      else annotate(runner, f);
    }
    const notes =
      omitted > 0
        ? [
            `${omitted} finding(s) are not annotated on the diff (GitHub shows ${ANNOTATIONS_PER_KIND} per kind and step); all are listed here and in code scanning.`,
          ]
        : [];

    const { env } = runner;
    const server = env.GITHUB_SERVER_URL ?? "https://github.com";
    const repository = env.GITHUB_REPOSITORY;
    const sha = headSha(env);
    // Rule pages link to the reviewed commit, so the explanation matches the rules that ran.
    const docsBase = repository && sha ? `${server}/${repository}/blob/${sha}/` : undefined;
    const sarifFile = path.join(env.RUNNER_TEMP ?? workspace, "camunda-gitops-lint.sarif");
    await writeFile(
      sarifFile,
      formatReport(report, "sarif", { version: "0.1.0", ...(docsBase ? { docsBase } : {}) }),
    );
    runner.output("error-count", report.summary.errors);
    runner.output("warning-count", report.summary.warnings);
    runner.output("sarif-file", sarifFile);

    await runner.summary(
      formatMarkdown(report, (file, line) => (docsBase ? `${docsBase}${file}#L${line}` : null), {
        notes,
        ...(docsBase ? { docsBase } : {}),
      }),
    );

    if (lintFails(report, options)) {
      const { errors, warnings } = report.summary;
      runner.fail(
        `Process lint found ${errors} error(s) and ${warnings} warning(s); see the annotations and the job summary.`,
      );
    }
  },
};

export function run(runner: Runner = githubRunner): Promise<void> {
  return runAction(lintProcesses, runner);
}
