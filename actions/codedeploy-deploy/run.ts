/**
 * The codedeploy-deploy action: the core's runDeployment for the environment's deployment group, as
 * outputs, error annotations per failed instance, and the job summary. The same bundle is the post
 * step: the main step saves the deployment id as soon as it exists and marks the end of its wait; a
 * post step that finds an id without that mark knows the wait was killed (cancelled run) and stops
 * the deployment.
 */
import { z } from "zod";
import { createCodeDeployClient } from "#core/aws/clients.js";
import { awsConfigOf } from "#core/bundle/publish.js";
import {
  type DeploymentReport,
  type DeployOutcome,
  deploymentSettings,
  runDeployment,
  stopIfActive,
} from "#core/codedeploy/deploy.js";
import { describeFailure } from "#core/codedeploy/diagnostics.js";
import { deploymentDescription } from "#core/codedeploy/request.js";
import { deployOptions } from "#core/options/deploy.js";
import { UsageError } from "#core/util/errors.js";
import { type ActionDefinition, runAction } from "../shared/run-action.js";
import { githubRunner, type Runner } from "../shared/runner.js";

const state = {
  phase: "phase",
  deploymentId: "deploymentId",
  region: "region",
  finished: "finished",
} as const;

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function annotate(runner: Runner, report: DeploymentReport, kind: string): void {
  for (const failure of report.failures) {
    const where = [failure.lifecycleEvent, failure.scriptName].filter(Boolean).join(" ");
    const body = [
      `${failure.errorCode ?? failure.status}: ${failure.message ?? "no message from the agent"}`,
      failure.logTail ? `Log tail:\n${failure.logTail}` : undefined,
      `Full log on ${failure.targetId}: ${failure.hostLog}`,
    ].filter(Boolean);
    runner.annotate("error", body.join("\n"), {
      title: `CodeDeploy ${kind} ${report.deploymentId}: ${where || "failed"} on ${failure.targetId}`,
    });
  }
  if (report.failures.length === 0 && (report.errorCode || report.errorMessage)) {
    runner.annotate("error", `${report.errorCode ?? ""} ${report.errorMessage ?? ""}`.trim(), {
      title: `CodeDeploy ${kind} ${report.deploymentId} ${report.status}`,
    });
  }
  if (report.diagnosticsUnavailable)
    runner.annotate(
      "warning",
      `failed instances of ${report.deploymentId} could not be listed: ${report.diagnosticsUnavailable}`,
    );
}

function summaryOf(environment: string, outcome: DeployOutcome): string {
  const parts = [`<h3>CodeDeploy to ${escapeHtml(environment)}: ${outcome.status}</h3>`];
  const sections: [string, DeploymentReport][] = [["deployment", outcome]];
  if (outcome.rollback) sections.push(["automatic rollback", outcome.rollback]);
  for (const [title, report] of sections) {
    parts.push(
      `<p><b>${title}</b> <a href="${report.consoleUrl}">${report.deploymentId}</a>: ${report.status}</p>`,
    );
    if (report.errorCode || report.errorMessage)
      parts.push(`<p>${escapeHtml(`${report.errorCode ?? ""} ${report.errorMessage ?? ""}`)}</p>`);
    for (const failure of report.failures) {
      const body = failure.logTail ? `<pre>${escapeHtml(failure.logTail)}</pre>` : "<p>no log tail</p>";
      parts.push(`<details><summary>${escapeHtml(describeFailure(failure))}</summary>${body}</details>`);
    }
  }
  if (outcome.timedOut)
    parts.push(
      `<p>The wait timed out${outcome.stopRequested ? " and the deployment was stopped with rollback" : ""}.</p>`,
    );
  return parts.join("\n");
}

export const codedeployDeploy: ActionDefinition<typeof deployOptions> = {
  what: "The CodeDeploy deployment",
  options: deployOptions,
  inputs: [
    "environment",
    "bucket",
    "key",
    "etag",
    "version-id",
    "timeout-minutes",
    "rollback-timeout-minutes",
    "poll-interval-seconds",
    "if-active",
    "active-wait-minutes",
    "file-exists-behavior",
    "ignore-application-stop-failures",
    "stop-on-timeout",
  ],
  async run(options, { runner, workspace }) {
    runner.saveState(state.phase, "post");
    if (!options.revision)
      throw new UsageError(
        "inputs bucket and key are required: the bundle to deploy (package-bundle's outputs).",
      );
    const aws = awsConfigOf(options.environment, workspace);
    const { env } = runner;
    const server = env.GITHUB_SERVER_URL ?? "https://github.com";
    const repository = env.GITHUB_REPOSITORY;
    const runUrl =
      repository && env.GITHUB_RUN_ID
        ? `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined;

    const client = createCodeDeployClient({ region: aws.region });
    let outcome: DeployOutcome;
    try {
      outcome = await runDeployment({
        client,
        ...deploymentSettings(aws, options),
        revision: options.revision,
        description: deploymentDescription({ repository, sha: env.GITHUB_SHA, runUrl }),
        log: (line) => runner.info(line),
        onCreated: (id) => {
          runner.saveState(state.deploymentId, id);
          runner.saveState(state.region, aws.region);
          runner.output("deployment-id", id);
        },
      });
    } finally {
      // Whatever happened, the wait is over: the post step must not stop anything.
      runner.saveState(state.finished, "true");
      client.destroy();
    }

    runner.output("deployment-id", outcome.deploymentId);
    runner.output("status", outcome.status);
    runner.output("console-url", outcome.consoleUrl);
    runner.output("rollback-deployment-id", outcome.rollback?.deploymentId ?? "");
    runner.output("rollback-status", outcome.rollback?.status ?? "");
    annotate(runner, outcome, "deployment");
    if (outcome.rollback) annotate(runner, outcome.rollback, "rollback");
    await runner.summary(summaryOf(options.environment, outcome));

    if (!outcome.succeeded) {
      const rollback = outcome.rollback
        ? `; automatic rollback ${outcome.rollback.deploymentId} ${outcome.rollback.status}`
        : "";
      const why = outcome.timedOut
        ? `did not finish within ${Math.round(options.timeoutMs / 60_000)} minutes`
        : `ended ${outcome.status}`;
      runner.fail(`CodeDeploy deployment ${outcome.deploymentId} ${why}${rollback}: ${outcome.consoleUrl}`);
    }
  },
};

/** The post step: stops a deployment whose wait was cut off by a cancelled run. */
async function stopAbandonedDeployment(runner: Runner): Promise<void> {
  const deploymentId = runner.state(state.deploymentId);
  if (!deploymentId || runner.state(state.finished) === "true") return;
  runner.annotate(
    "warning",
    `the run ended while deployment ${deploymentId} was still being watched: stopping it with rollback`,
  );
  const client = createCodeDeployClient({ region: runner.state(state.region) });
  try {
    const result = await stopIfActive(client, deploymentId, (line) => runner.info(line));
    runner.info(
      result.stopped
        ? `deployment ${deploymentId} stopped (it was ${result.status})`
        : `deployment ${deploymentId} had already ended (${result.status})`,
    );
  } finally {
    client.destroy();
  }
}

/** Main step or post step, told apart by the state the main step saved. */
export function run(runner: Runner = githubRunner): Promise<void> {
  if (runner.state(state.phase) === "post") {
    return runAction(
      {
        what: "Stopping the deployment",
        options: z.object({}),
        inputs: [],
        run: () => stopAbandonedDeployment(runner),
      },
      runner,
    );
  }
  return runAction(codedeployDeploy, runner);
}
