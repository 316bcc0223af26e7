import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import * as core from "@actions/core";
import {
  ANNOTATIONS_PER_KIND,
  DEFAULT_REGISTRY_FILE,
  type Finding,
  formatMarkdown,
  formatReport,
  lint,
} from "#core/lint/index.js";
import { importRegistryWithTsx } from "#core/lint/registry-import.js";

const FAIL_ON = ["error", "warning", "never"] as const;

/** The pull request's head commit when there is one: line links must show the reviewed file. */
function headSha(): string | undefined {
  try {
    const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH ?? "", "utf8"));
    return event?.pull_request?.head?.sha ?? process.env.GITHUB_SHA;
  } catch {
    return process.env.GITHUB_SHA;
  }
}

async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const paths = core
    .getMultilineInput("paths")
    .flatMap((p) => p.split(/\s+/))
    .filter(Boolean);
  const failOn = (core.getInput("fail-on") || "error") as (typeof FAIL_ON)[number];
  if (!FAIL_ON.includes(failOn))
    throw new Error(`input fail-on must be error, warning or never, got "${failOn}"`);
  const config = core.getInput("config");

  const report = await lint({
    root: workspace,
    paths: (paths.length > 0 ? paths : ["processes"]).map((p) => path.resolve(workspace, p)),
    ...(config ? { configFile: path.resolve(workspace, config) } : {}),
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
    else annotate(f);
  }
  const notes =
    omitted > 0
      ? [
          `${omitted} finding(s) are not annotated on the diff (GitHub shows ${ANNOTATIONS_PER_KIND} per kind and step); all are listed here and in code scanning.`,
        ]
      : [];

  const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
  const repository = process.env.GITHUB_REPOSITORY;
  const sha = headSha();
  // Rule pages link to the reviewed commit, so the explanation matches the rules that ran.
  const docsBase = repository && sha ? `${server}/${repository}/blob/${sha}/` : undefined;
  const sarifFile = path.join(process.env.RUNNER_TEMP ?? workspace, "camunda-gitops-lint.sarif");
  await writeFile(
    sarifFile,
    formatReport(report, "sarif", { version: "0.1.0", ...(docsBase ? { docsBase } : {}) }),
  );
  core.setOutput("error-count", report.summary.errors);
  core.setOutput("warning-count", report.summary.warnings);
  core.setOutput("sarif-file", sarifFile);

  await core.summary
    .addRaw(
      formatMarkdown(report, (file, line) => (docsBase ? `${docsBase}${file}#L${line}` : null), {
        notes,
        ...(docsBase ? { docsBase } : {}),
      }),
    )
    .write();

  const { errors, warnings } = report.summary;
  if ((failOn !== "never" && errors > 0) || (failOn === "warning" && warnings > 0)) {
    core.setFailed(
      `Process lint found ${errors} error(s) and ${warnings} warning(s); see the annotations and the job summary.`,
    );
  }
}

function annotate(f: Finding): void {
  const properties = {
    file: f.file,
    startLine: f.line,
    startColumn: f.column,
    title: `${f.consequence}: ${f.rule}${f.elementId ? ` (${f.elementId})` : ""}`,
  };
  if (f.severity === "error") core.error(f.message, properties);
  else if (f.severity === "warning") core.warning(f.message, properties);
  else core.notice(f.message, properties);
}

run().catch((error: unknown) => {
  core.setFailed(`Process lint could not run: ${error instanceof Error ? error.message : String(error)}`);
});
