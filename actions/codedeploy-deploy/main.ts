/**
 * GitHub adapter for CodeDeploy: inputs → runDeployment (actions/src/codedeploy) → outputs,
 * error annotations per failed instance, and the job summary. The same file is the post step: the
 * main step saves the deployment id as soon as it exists and marks the end of its wait; a post step
 * that finds an id without that mark knows the wait was killed (cancelled run) and stops the deployment.
 */
import * as core from "@actions/core";
import { createCodeDeployClient } from "#core/aws/clients.js";
import { awsConfigOf } from "#core/bundle/publish.js";
import {
  type DeploymentReport,
  type DeployOutcome,
  runDeployment,
  stopIfActive,
} from "#core/codedeploy/deploy.js";
import { describeFailure } from "#core/codedeploy/diagnostics.js";
import { deploymentDescription } from "#core/codedeploy/request.js";
import { UserError } from "#core/util/errors.js";

const state = {
  phase: "phase",
  deploymentId: "deploymentId",
  region: "region",
  finished: "finished",
} as const;

function wholeNumber(name: string, min: number): number {
  const raw = core.getInput(name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new UserError(`input ${name} must be a whole number ≥ ${min}, got "${raw}".`, { exitCode: 2 });
  }
  return value;
}

function oneOf<T extends string>(name: string, allowed: readonly T[]): T {
  const raw = core.getInput(name);
  const value = (name === "file-exists-behavior" ? raw.toUpperCase() : raw) as T;
  if (!allowed.includes(value))
    throw new UserError(`input ${name} must be one of ${allowed.join(", ")}, got "${raw}".`, { exitCode: 2 });
  return value;
}

async function main(): Promise<void> {
  core.saveState(state.phase, "post");
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const environment = core.getInput("environment", { required: true });
  const aws = awsConfigOf(environment, workspace);
  const timeoutMinutes = wholeNumber("timeout-minutes", 1);
  const rollbackMinutes = wholeNumber("rollback-timeout-minutes", 1);
  const intervalSeconds = wholeNumber("poll-interval-seconds", 5);
  const activeWaitMinutes = wholeNumber("active-wait-minutes", 0);
  const whenActive = oneOf("if-active", ["wait", "fail"] as const);
  const fileExistsBehavior = oneOf("file-exists-behavior", ["DISALLOW", "OVERWRITE", "RETAIN"] as const);
  const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
  const repository = process.env.GITHUB_REPOSITORY;
  const runUrl =
    repository && process.env.GITHUB_RUN_ID
      ? `${server}/${repository}/actions/runs/${process.env.GITHUB_RUN_ID}`
      : undefined;

  const client = createCodeDeployClient({ region: aws.region });
  let outcome: DeployOutcome;
  try {
    outcome = await runDeployment({
      client,
      region: aws.region,
      application: aws.codeDeploy.application,
      deploymentGroup: aws.codeDeploy.deploymentGroup,
      revision: {
        bucket: core.getInput("bucket", { required: true }),
        key: core.getInput("key", { required: true }),
        etag: core.getInput("etag") || undefined,
        versionId: core.getInput("version-id") || undefined,
      },
      description: deploymentDescription({ repository, sha: process.env.GITHUB_SHA, runUrl }),
      fileExistsBehavior,
      ignoreApplicationStopFailures: core.getBooleanInput("ignore-application-stop-failures"),
      whenActive,
      activeWaitMs: activeWaitMinutes * 60_000,
      timeoutMs: timeoutMinutes * 60_000,
      rollbackTimeoutMs: rollbackMinutes * 60_000,
      intervalMs: intervalSeconds * 1000,
      stopOnTimeout: core.getBooleanInput("stop-on-timeout"),
      log: (line) => core.info(line),
      onCreated: (id) => {
        core.saveState(state.deploymentId, id);
        core.saveState(state.region, aws.region);
        core.setOutput("deployment-id", id);
      },
    });
  } finally {
    // Whatever happened, the wait is over: the post step must not stop anything.
    core.saveState(state.finished, "true");
    client.destroy();
  }

  core.setOutput("deployment-id", outcome.deploymentId);
  core.setOutput("status", outcome.status);
  core.setOutput("console-url", outcome.consoleUrl);
  core.setOutput("rollback-deployment-id", outcome.rollback?.deploymentId ?? "");
  core.setOutput("rollback-status", outcome.rollback?.status ?? "");
  annotate(outcome, "deployment");
  if (outcome.rollback) annotate(outcome.rollback, "rollback");
  await writeSummary(environment, outcome);

  if (!outcome.succeeded) {
    const rollback = outcome.rollback
      ? `; automatic rollback ${outcome.rollback.deploymentId} ${outcome.rollback.status}`
      : "";
    const why = outcome.timedOut
      ? `did not finish within ${timeoutMinutes} minutes`
      : `ended ${outcome.status}`;
    core.setFailed(`CodeDeploy deployment ${outcome.deploymentId} ${why}${rollback}: ${outcome.consoleUrl}`);
  }
}

function annotate(report: DeploymentReport, kind: string): void {
  for (const failure of report.failures) {
    const where = [failure.lifecycleEvent, failure.scriptName].filter(Boolean).join(" ");
    const body = [
      `${failure.errorCode ?? failure.status}: ${failure.message ?? "no message from the agent"}`,
      failure.logTail ? `Log tail:\n${failure.logTail}` : undefined,
      `Full log on ${failure.targetId}: ${failure.hostLog}`,
    ].filter(Boolean);
    core.error(body.join("\n"), {
      title: `CodeDeploy ${kind} ${report.deploymentId}: ${where || "failed"} on ${failure.targetId}`,
    });
  }
  if (report.failures.length === 0 && (report.errorCode || report.errorMessage)) {
    core.error(`${report.errorCode ?? ""} ${report.errorMessage ?? ""}`.trim(), {
      title: `CodeDeploy ${kind} ${report.deploymentId} ${report.status}`,
    });
  }
  if (report.diagnosticsUnavailable)
    core.warning(
      `failed instances of ${report.deploymentId} could not be listed: ${report.diagnosticsUnavailable}`,
    );
}

async function writeSummary(environment: string, outcome: DeployOutcome): Promise<void> {
  const summary = core.summary.addHeading(`CodeDeploy to ${environment}: ${outcome.status}`, 3);
  const sections: [string, DeploymentReport][] = [["deployment", outcome]];
  if (outcome.rollback) sections.push(["automatic rollback", outcome.rollback]);
  for (const [title, report] of sections) {
    summary.addRaw(
      `<p><b>${title}</b> <a href="${report.consoleUrl}">${report.deploymentId}</a>: ${report.status}</p>`,
      true,
    );
    if (report.errorCode || report.errorMessage)
      summary.addRaw(`<p>${escapeHtml(`${report.errorCode ?? ""} ${report.errorMessage ?? ""}`)}</p>`, true);
    for (const failure of report.failures) {
      summary.addDetails(
        escapeHtml(describeFailure(failure)),
        failure.logTail ? `<pre>${escapeHtml(failure.logTail)}</pre>` : "<p>no log tail</p>",
      );
    }
  }
  if (outcome.timedOut)
    summary.addRaw(
      `<p>The wait timed out${outcome.stopRequested ? " and the deployment was stopped with rollback" : ""}.</p>`,
      true,
    );
  await summary.write();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

async function post(): Promise<void> {
  const deploymentId = core.getState(state.deploymentId);
  if (!deploymentId || core.getState(state.finished) === "true") return;
  core.warning(
    `the run ended while deployment ${deploymentId} was still being watched: stopping it with rollback`,
  );
  const client = createCodeDeployClient({ region: core.getState(state.region) });
  try {
    const result = await stopIfActive(client, deploymentId, (line) => core.info(line));
    core.info(
      result.stopped
        ? `deployment ${deploymentId} stopped (it was ${result.status})`
        : `deployment ${deploymentId} had already ended (${result.status})`,
    );
  } finally {
    client.destroy();
  }
}

function fail(error: unknown): void {
  if (error instanceof UserError) {
    for (const line of error.details) core.error(line);
    core.setFailed(error.message);
  } else {
    core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}

(core.getState(state.phase) === "post" ? post() : main()).catch(fail);
