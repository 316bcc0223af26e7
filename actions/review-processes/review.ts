/**
 * The review-processes action: the semantic diff of the pull request's BPMN/DMN files, optionally with
 * the running instances of one environment, written as a report folder (for the artifact), the job
 * summary and one pull request comment kept up to date.
 */
import path from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import {
  addRunningInstances,
  COMMENT_MARKER,
  diffRepository,
  formatMarkdown,
  totals,
  writeReviewOutputs,
} from "#core/diff/index.js";
import { connect } from "#core/release/connect.js";
import { errorMessage, UserError } from "#core/util/errors.js";
import { upsertStickyComment } from "./sticky-comment.js";

/** The identity the workflow token writes as; its comments are the only ones updated. */
const WORKFLOW_AUTHOR = "github-actions[bot]";

interface PullRequest {
  number: number;
  base?: { sha?: string; repo?: { full_name?: string } };
  head?: { repo?: { full_name?: string } | null };
}

async function runningNote(
  environment: string,
  workspace: string,
  report: Parameters<typeof addRunningInstances>[0],
) {
  if (process.env.CAMUNDA_PASSWORD) core.setSecret(process.env.CAMUNDA_PASSWORD);
  try {
    const connection = connect(environment, { root: workspace, log: (line) => core.info(line) });
    return await addRunningInstances(report, {
      environment,
      client: connection.client,
      tenantId: connection.target.tenantId,
    });
  } catch (error) {
    // The review stands without the counts; say why they are missing.
    if (!(error instanceof UserError)) throw error;
    core.warning(`Running instances in ${environment} were not counted: ${error.message}`);
    return `Running instances in ${environment} could not be counted: ${error.message}`;
  }
}

async function comment(pr: PullRequest, body: string): Promise<string | null> {
  const { owner, repo } = github.context.repo;
  const fork = pr.head?.repo?.full_name && pr.head.repo.full_name !== pr.base?.repo?.full_name;
  if (fork) {
    core.notice(
      "Pull request from a fork: its token is read-only, so the review is in the job summary only.",
    );
    return null;
  }
  const token = core.getInput("token");
  if (!token) {
    core.notice("No token given: the review is in the job summary only.");
    return null;
  }
  try {
    const octokit = github.getOctokit(token);
    const result = await upsertStickyComment(
      octokit,
      { owner, repo, issueNumber: pr.number, marker: COMMENT_MARKER, author: WORKFLOW_AUTHOR },
      body,
    );
    core.info(
      `Review comment ${result.action}: ${result.url}${result.removed ? ` (${result.removed} duplicate(s) removed)` : ""}`,
    );
    return result.url;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 404) {
      core.warning(
        `The token cannot write the review comment on #${pr.number} (${status}: ${errorMessage(error)}); give the job "pull-requests: write". The review is in the job summary.`,
      );
      return null;
    }
    throw error;
  }
}

export async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const pr = github.context.payload.pull_request as PullRequest | undefined;
  const paths = core
    .getMultilineInput("paths")
    .flatMap((p) => p.split(/\s+/))
    .filter(Boolean);
  const report = await diffRepository({
    repoRoot: workspace,
    base: core.getInput("base") || pr?.base?.sha || undefined,
    paths: (paths.length > 0 ? paths : ["processes"]).map((p) => path.resolve(workspace, p)),
  });
  const t = totals(report);
  core.info(
    `${t.files} model file(s) changed, ${t.changes} behaviour change(s), ${t.migrationRelevant} migration-relevant.`,
  );

  const environment = core.getInput("environment");
  const note = environment ? await runningNote(environment, workspace, report) : null;

  const reportDir = path.resolve(
    workspace,
    core.getInput("report-dir") || path.join(process.env.RUNNER_TEMP ?? workspace, "process-review"),
  );
  const output = await writeReviewOutputs(report, {
    outDir: reportDir,
    toolRoot: workspace,
    pictures: core.getBooleanInput("pictures"),
    note,
    onProgress: (line) => core.info(line),
  });
  for (const line of output.notes) core.warning(line);

  const { serverUrl, runId } = github.context;
  const runUrl = runId
    ? `${serverUrl}/${github.context.repo.owner}/${github.context.repo.repo}/actions/runs/${runId}`
    : null;
  const markdown = (marker?: string) =>
    formatMarkdown(report, {
      ...(marker ? { marker } : {}),
      note,
      reportUrl: runUrl ? `${runUrl}#artifacts` : null,
    });
  await core.summary.addRaw(markdown()).write();

  const commentUrl =
    pr && core.getBooleanInput("comment") ? await comment(pr, markdown(COMMENT_MARKER)) : null;
  core.setOutput("report-dir", reportDir);
  core.setOutput("changed-files", t.files);
  core.setOutput("behaviour-changes", t.changes);
  core.setOutput("migration-relevant", t.migrationRelevant);
  core.setOutput("comment-url", commentUrl ?? "");

  const unreadable = report.files.filter((f) => f.problem);
  if (unreadable.length > 0) {
    core.setFailed(
      [
        `${unreadable.length} model file(s) could not be compared:`,
        ...unreadable.map((f) => `  ${f.problem}`),
      ].join("\n"),
    );
  }
}
