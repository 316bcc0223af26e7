/**
 * The review-processes action: the core's review of the pull request's BPMN/DMN files (report folder
 * for the artifact), written to the job summary and to one pull request comment kept up to date.
 */
import path from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import { COMMENT_MARKER, review } from "#core/diff/index.js";
import { connect } from "#core/release/connect.js";
import { errorMessage } from "#core/util/errors.js";
import { upsertStickyComment } from "./sticky-comment.js";

/** The identity the workflow token writes as; its comments are the only ones updated. */
const WORKFLOW_AUTHOR = "github-actions[bot]";

interface PullRequest {
  number: number;
  base?: { sha?: string; repo?: { full_name?: string } };
  head?: { repo?: { full_name?: string } | null };
}

async function comment(pr: PullRequest, body: string): Promise<string | null> {
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
  const { owner, repo } = github.context.repo;
  try {
    const result = await upsertStickyComment(
      github.getOctokit(token),
      { owner, repo, issueNumber: pr.number, marker: COMMENT_MARKER, author: WORKFLOW_AUTHOR },
      body,
    );
    core.info(
      `Review comment ${result.action}: ${result.url}${result.removed ? ` (${result.removed} duplicate(s) removed)` : ""}`,
    );
    return result.url;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 403 && status !== 404) throw error;
    core.warning(
      `The token cannot write the review comment on #${pr.number} (${status}: ${errorMessage(error)}); give the job "pull-requests: write". The review is in the job summary.`,
    );
    return null;
  }
}

export async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const pr = github.context.payload.pull_request as PullRequest | undefined;
  const paths = core
    .getMultilineInput("paths")
    .flatMap((p) => p.split(/\s+/))
    .filter(Boolean);
  const environment = core.getInput("environment");
  if (environment && process.env.CAMUNDA_PASSWORD) core.setSecret(process.env.CAMUNDA_PASSWORD);
  const { serverUrl, runId, repo } = github.context;

  const result = await review({
    repoRoot: workspace,
    toolRoot: workspace,
    base: core.getInput("base") || pr?.base?.sha || undefined,
    paths: (paths.length > 0 ? paths : ["processes"]).map((p) => path.resolve(workspace, p)),
    outDir: path.resolve(
      workspace,
      core.getInput("report-dir") || path.join(process.env.RUNNER_TEMP ?? workspace, "process-review"),
    ),
    pictures: core.getBooleanInput("pictures"),
    engine: environment
      ? {
          environment,
          connect: () => {
            const c = connect(environment, { root: workspace, log: (line) => core.info(line) });
            return { client: c.client, tenantId: c.target.tenantId };
          },
        }
      : null,
    reportUrl: runId ? `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId}#artifacts` : null,
    onProgress: (line) => core.info(line),
    onWarning: (line) => core.warning(line),
  });

  await core.summary.addRaw(result.markdown()).write();
  const commentUrl =
    pr && core.getBooleanInput("comment") ? await comment(pr, result.markdown(COMMENT_MARKER)) : null;
  core.setOutput("report-dir", result.output.outDir);
  core.setOutput("changed-files", result.totals.files);
  core.setOutput("behaviour-changes", result.totals.changes);
  core.setOutput("migration-relevant", result.totals.migrationRelevant);
  core.setOutput("comment-url", commentUrl ?? "");

  const unreadable = result.report.files.filter((f) => f.problem);
  if (unreadable.length > 0) {
    core.setFailed(
      [
        `${unreadable.length} model file(s) could not be compared:`,
        ...unreadable.map((f) => `  ${f.problem}`),
      ].join("\n"),
    );
  }
}
