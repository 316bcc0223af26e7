/**
 * The review-processes action: the core's review of the pull request's BPMN/DMN files (report folder
 * for the artifact), written to the job summary and to one pull request comment kept up to date.
 */
import path from "node:path";
import * as github from "@actions/github";
import { COMMENT_MARKER, review } from "#core/diff/index.js";
import { reviewOptions } from "#core/options/review.js";
import { connect } from "#core/release/connect.js";
import { errorMessage, UserError } from "#core/util/errors.js";
import { type ActionDefinition, runAction } from "../shared/run-action.js";
import { githubRunner, listInput, type Runner } from "../shared/runner.js";
import { upsertStickyComment } from "./sticky-comment.js";

/** The identity the workflow token writes as; its comments are the only ones updated. */
const WORKFLOW_AUTHOR = "github-actions[bot]";

interface PullRequest {
  number: number;
  base?: { sha?: string; repo?: { full_name?: string } };
  head?: { repo?: { full_name?: string } | null };
}

async function comment(runner: Runner, pr: PullRequest, body: string): Promise<string | null> {
  const fork = pr.head?.repo?.full_name && pr.head.repo.full_name !== pr.base?.repo?.full_name;
  if (fork) {
    runner.annotate(
      "notice",
      "Pull request from a fork: its token is read-only, so the review is in the job summary only.",
    );
    return null;
  }
  // The token is read here, not through the options: it is a secret and never part of a message.
  const token = runner.input("token");
  if (!token) {
    runner.annotate("notice", "No token given: the review is in the job summary only.");
    return null;
  }
  const { owner, repo } = github.context.repo;
  try {
    const result = await upsertStickyComment(
      github.getOctokit(token),
      { owner, repo, issueNumber: pr.number, marker: COMMENT_MARKER, author: WORKFLOW_AUTHOR },
      body,
    );
    runner.info(
      `Review comment ${result.action}: ${result.url}${result.removed ? ` (${result.removed} duplicate(s) removed)` : ""}`,
    );
    return result.url;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 403 && status !== 404) throw error;
    runner.annotate(
      "warning",
      `The token cannot write the review comment on #${pr.number} (${status}: ${errorMessage(error)}); give the job "pull-requests: write". The review is in the job summary.`,
    );
    return null;
  }
}

export const reviewAction: ActionDefinition<typeof reviewOptions> = {
  what: "The process review",
  options: reviewOptions,
  inputs: ["base", "report-dir", "pictures", "comment", "environment"],
  async run(options, { runner, workspace }) {
    const pr = github.context.payload.pull_request as PullRequest | undefined;
    const paths = listInput(runner, "paths");
    const { environment } = options;
    if (environment && runner.env.CAMUNDA_PASSWORD) runner.secret(runner.env.CAMUNDA_PASSWORD);
    // Where the report artifact will be: the run's page, when the runner says which run this is.
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = runner.env;
    const reportUrl =
      server && repository && runId ? `${server}/${repository}/actions/runs/${runId}#artifacts` : null;

    const result = await review({
      repoRoot: workspace,
      toolRoot: workspace,
      base: options.base || pr?.base?.sha || undefined,
      paths: (paths.length > 0 ? paths : ["processes"]).map((p) => path.resolve(workspace, p)),
      outDir: path.resolve(
        workspace,
        options.reportDir || path.join(runner.env.RUNNER_TEMP ?? workspace, "process-review"),
      ),
      pictures: options.pictures,
      engine: environment
        ? {
            environment,
            connect: () => {
              const c = connect(environment, { root: workspace, log: (line) => runner.info(line) });
              return { client: c.client, tenantId: c.target.tenantId };
            },
          }
        : null,
      reportUrl,
      onProgress: (line) => runner.info(line),
      onWarning: (line) => runner.annotate("warning", line),
    });

    await runner.summary(result.markdown());
    const commentUrl =
      pr && options.comment ? await comment(runner, pr, result.markdown(COMMENT_MARKER)) : null;
    runner.output("report-dir", result.output.outDir);
    runner.output("changed-files", result.totals.files);
    runner.output("behaviour-changes", result.totals.changes);
    runner.output("migration-relevant", result.totals.migrationRelevant);
    runner.output("comment-url", commentUrl ?? "");

    const unreadable = result.report.files.filter((f) => f.problem);
    if (unreadable.length > 0) {
      throw new UserError(`${unreadable.length} model file(s) could not be compared:`, {
        details: unreadable.map((f) => f.problem as string),
      });
    }
  },
};

export function run(runner: Runner = githubRunner): Promise<void> {
  return runAction(reviewAction, runner);
}
