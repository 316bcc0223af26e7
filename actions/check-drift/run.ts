/**
 * The check-drift action: the core's drift check of one environment (read-only credentials suffice),
 * as outputs, the job summary, and one GitHub issue per environment kept open while it drifts
 * (drift-issue.ts). Drift is reported by the issue and the outputs, not by failing the step; a check
 * that cannot run (engine down, refused credentials, unknown environment) fails it.
 */
import * as github from "@actions/github";
import {
  checkDrift,
  driftHeadline,
  driftJson,
  formatDriftMarkdown,
  formatDriftText,
} from "#core/drift/index.js";
import { driftOptions } from "#core/options/drift.js";
import { connect } from "#core/release/connect.js";
import { provenanceFromEnvironment } from "#core/release/provenance.js";
import { UserError } from "#core/util/errors.js";
import { type ActionDefinition, runAction } from "../shared/run-action.js";
import { githubRunner, type Runner } from "../shared/runner.js";
import { type DriftIssueResult, syncDriftIssue } from "./drift-issue.js";

/** The identity the workflow token writes as; only its issues are updated or closed. */
const WORKFLOW_AUTHOR = "github-actions[bot]";
const LABEL = "process-drift";

async function syncIssue(
  runner: Runner,
  environment: string,
  state: Parameters<typeof syncDriftIssue>[2],
): Promise<DriftIssueResult> {
  const token = runner.input("token");
  const repository = runner.env.GITHUB_REPOSITORY ?? "";
  const [owner, repo] = repository.split("/");
  if (!token || !owner || !repo) {
    throw new UserError(
      `the drift of ${environment} cannot be tracked in an issue without ${token ? "GITHUB_REPOSITORY (owner/name)" : "the input token"}; pass the workflow token, or set issue: false.`,
    );
  }
  runner.secret(token);
  const octokit = github.getOctokit(token, {
    baseUrl: runner.env.GITHUB_API_URL || "https://api.github.com",
  });
  try {
    return await syncDriftIssue(
      octokit,
      { owner, repo, environment, author: WORKFLOW_AUTHOR, label: LABEL },
      state,
    );
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 401 || status === 403 || status === 404) {
      throw new UserError(
        `GitHub refused to ${state.inSync ? "close" : "open or update"} the drift issue of ${environment} in ${repository} (${status}); give the job "issues: write" and pass its token.`,
      );
    }
    throw error;
  }
}

export const checkDriftAction: ActionDefinition<typeof driftOptions> = {
  what: "The drift check",
  options: driftOptions,
  inputs: ["environment", "ref", "issue"],
  async run(options, { runner, workspace }) {
    // Masked before anything can print it; the client sends it only in the Authorization header.
    if (runner.env.CAMUNDA_PASSWORD) runner.secret(runner.env.CAMUNDA_PASSWORD);
    const connection = connect(options.environment, {
      root: workspace,
      env: runner.env,
      log: (line) => runner.info(line),
    });
    const { repository } = await provenanceFromEnvironment(runner.env, workspace);
    runner.info(`Comparing ${connection.target.environment} with git …`);
    const report = await checkDrift({
      client: connection.client,
      target: connection.target,
      repoRoot: workspace,
      ref: options.ref,
      repository,
    });
    runner.info(formatDriftText(report));
    const markdown = formatDriftMarkdown(report);
    await runner.summary(markdown);
    runner.output("in-sync", String(report.inSync));
    runner.output("drift", String(report.counts.drift));
    runner.output("result", JSON.stringify(driftJson(report)));
    if (!options.issue) return;
    const issue = await syncIssue(runner, report.environment, {
      inSync: report.inSync,
      headline: driftHeadline(report),
      body: markdown,
    });
    runner.output("issue-number", issue.number === null ? "" : String(issue.number));
    runner.output("issue-url", issue.url ?? "");
    runner.output("issue-action", issue.action);
    runner.info(
      `Drift issue ${issue.action}${issue.url ? `: ${issue.url}` : ""}${issue.duplicatesClosed ? ` (${issue.duplicatesClosed} duplicate(s) closed)` : ""}`,
    );
  },
};

export function run(runner: Runner = githubRunner): Promise<void> {
  return runAction(checkDriftAction, runner);
}
