import {
  type CodeDeployClient,
  CreateDeploymentCommand,
  type DeploymentGroupInfo,
  type DeploymentInfo,
  type FileExistsBehavior,
  GetDeploymentCommand,
  StopDeploymentCommand,
} from "@aws-sdk/client-codedeploy";

import type { AwsConfig } from "#core/environments/schema.js";
import type { DeployOptions as DeployInputs } from "#core/options/deploy.js";
import { UserError } from "#core/util/errors.js";
import { type Clock, systemClock } from "./clock.js";
import { collectFailures, describeFailure, type TargetFailure } from "./diagnostics.js";
import { awsFailure, isFatalAwsError } from "./errors.js";
import { pollDeployment, terminalStatuses } from "./poll.js";
import { getDeploymentGroup, waitForFreeGroup } from "./preflight.js";
import { consoleUrl, createDeploymentInput, type RevisionLocation } from "./request.js";

export interface DeployOptions {
  client: CodeDeployClient;
  region: string;
  application: string;
  deploymentGroup: string;
  revision: RevisionLocation;
  description: string;
  fileExistsBehavior?: FileExistsBehavior;
  ignoreApplicationStopFailures?: boolean;
  /** What to do when the group already runs a deployment. */
  whenActive?: "wait" | "fail";
  activeWaitMs?: number;
  /** How long to wait for the deployment itself. */
  timeoutMs: number;
  /** How long to follow an automatic rollback once it has started. */
  rollbackTimeoutMs?: number;
  intervalMs?: number;
  /** Stop (with rollback) a deployment still running at the timeout, so it does not hold the group. */
  stopOnTimeout?: boolean;
  /** How long to wait for a stop requested at the timeout to take effect. */
  stopGraceMs?: number;
  clock?: Clock;
  log?: (line: string) => void;
  /** Called as soon as the deployment exists, e.g. to save its id for a cancellation handler. */
  onCreated?: (deploymentId: string) => void | Promise<void>;
  /** Aborting stops the deployment with rollback (Ctrl-C in the CLI). */
  signal?: AbortSignal;
}

export interface DeploymentReport {
  deploymentId: string;
  status: string;
  consoleUrl: string;
  errorCode?: string;
  errorMessage?: string;
  failures: TargetFailure[];
  /** Why failures could not be listed, if they could not. */
  diagnosticsUnavailable?: string;
}

export interface DeployOutcome extends DeploymentReport {
  succeeded: boolean;
  timedOut: boolean;
  /** This run asked CodeDeploy to stop the deployment (timeout or cancellation). */
  stopRequested: boolean;
  rollback?: DeploymentReport & { timedOut: boolean };
}

/**
 * Where and how to deploy, from the environment's AWS settings and the parsed deploy options: what the
 * CLI verb and the codedeploy-deploy action both pass to runDeployment, beside their own revision,
 * description, logging and cancellation.
 */
export function deploymentSettings(aws: AwsConfig, options: DeployInputs) {
  return {
    region: aws.region,
    application: aws.codeDeploy.application,
    deploymentGroup: aws.codeDeploy.deploymentGroup,
    fileExistsBehavior: options.fileExistsBehavior,
    ignoreApplicationStopFailures: options.ignoreApplicationStopFailures,
    whenActive: options.whenActive,
    activeWaitMs: options.activeWaitMs,
    timeoutMs: options.timeoutMs,
    rollbackTimeoutMs: options.rollbackTimeoutMs,
    intervalMs: options.intervalMs,
    stopOnTimeout: options.stopOnTimeout,
  };
}

const defaults = {
  intervalMs: 15_000,
  activeWaitMs: 15 * 60_000,
  rollbackTimeoutMs: 15 * 60_000,
  stopGraceMs: 3 * 60_000,
};

/** The options as the steps below share them, defaults applied. */
interface Run {
  options: DeployOptions;
  clock: Clock;
  log: (line: string) => void;
  intervalMs: number;
}

/**
 * The whole deployment: pre-flight, CreateDeployment, progress, and on failure the per-target
 * diagnostics and the automatic rollback's outcome. Returns a report rather than throwing for a
 * failed deployment; throws UserError for problems that stop it from being judged at all.
 */
export async function runDeployment(options: DeployOptions): Promise<DeployOutcome> {
  const run: Run = {
    options,
    clock: options.clock ?? systemClock,
    log: options.log ?? (() => {}),
    intervalMs: options.intervalMs ?? defaults.intervalMs,
  };
  const group = await preflight(run);
  const deploymentId = await createDeployment(run, group);
  const watched = await watchDeployment(run, deploymentId);

  const report = await reportFor(
    options.client,
    options.region,
    watched.info,
    group.deploymentGroupId,
    run.log,
  );
  const outcome: DeployOutcome = {
    ...report,
    succeeded: watched.info.status === "Succeeded",
    timedOut: watched.timedOut,
    stopRequested: watched.stopRequested,
  };
  if (outcome.succeeded || watched.aborted || !terminalStatuses.has(watched.info.status ?? ""))
    return outcome;
  const rollback = await followRollback(run, watched.info, group.deploymentGroupId);
  if (rollback) outcome.rollback = rollback;
  return outcome;
}

/** Step 1: the group exists, is for EC2/on-premises instances, and is free (or becomes free in time). */
async function preflight({ options, clock, log, intervalMs }: Run): Promise<DeploymentGroupInfo> {
  const { client, application, deploymentGroup } = options;
  const group = await getDeploymentGroup(client, application, deploymentGroup);
  if (group.computePlatform && group.computePlatform !== "Server") {
    throw new UserError(
      `deployment group ${application}/${deploymentGroup} is for ${group.computePlatform}, but this bundle is for EC2/on-premises instances; point aws.codeDeploy at the instances' group.`,
    );
  }
  await waitForFreeGroup({
    client,
    application,
    deploymentGroup,
    whenActive: options.whenActive ?? "wait",
    waitMs: options.activeWaitMs ?? defaults.activeWaitMs,
    intervalMs,
    clock,
    log,
    signal: options.signal,
  });
  return group;
}

/** Step 2: CreateDeployment; the id is handed to onCreated at once (a cancellation needs it). */
async function createDeployment({ options, log }: Run, group: DeploymentGroupInfo): Promise<string> {
  const { client, application, deploymentGroup } = options;
  const input = createDeploymentInput({
    application,
    deploymentGroup,
    revision: options.revision,
    description: options.description,
    fileExistsBehavior: options.fileExistsBehavior ?? "OVERWRITE",
    ignoreApplicationStopFailures: options.ignoreApplicationStopFailures ?? false,
    rollbackOnAlarm: group.alarmConfiguration?.enabled === true,
  });
  let deploymentId: string;
  try {
    const out = await client.send(new CreateDeploymentCommand(input));
    if (!out.deploymentId) throw new UserError("CodeDeploy accepted the deployment but returned no id.");
    deploymentId = out.deploymentId;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw awsFailure(`CreateDeployment in ${application}/${deploymentGroup}`, error);
  }
  await options.onCreated?.(deploymentId);
  log(`deployment ${deploymentId} created: ${consoleUrl(options.region, deploymentId)}`);
  return deploymentId;
}

/**
 * Step 3: follows the deployment to its end. A cancellation, or the timeout (unless told to keep it
 * running), stops it with rollback, so it does not hold the group.
 */
async function watchDeployment(
  { options, clock, log, intervalMs }: Run,
  deploymentId: string,
): Promise<{ info: DeploymentInfo; timedOut: boolean; aborted: boolean; stopRequested: boolean }> {
  const { client } = options;
  const polled = await pollDeployment({
    client,
    deploymentId,
    intervalMs,
    deadline: clock.now() + options.timeoutMs,
    clock,
    log,
    signal: options.signal,
  });
  const seconds = Math.round(options.timeoutMs / 1000);
  const result = { ...polled, stopRequested: false };
  if (polled.aborted || (polled.timedOut && (options.stopOnTimeout ?? true))) {
    log(
      polled.aborted
        ? `cancelled: stopping deployment ${deploymentId} with rollback`
        : `timed out after ${seconds} s: stopping deployment ${deploymentId} with rollback`,
    );
    await stopDeployment(client, deploymentId, log);
    result.stopRequested = true;
    if (polled.aborted) {
      // The run is going away (cancelled job, Ctrl-C): report what is known now.
      result.info = await getDeployment(client, deploymentId).catch(() => polled.info);
    } else {
      // Wait briefly for the stop to land, so the report says Stopped and the rollback can be followed.
      const settled = await pollDeployment({
        client,
        deploymentId,
        intervalMs,
        deadline: clock.now() + (options.stopGraceMs ?? defaults.stopGraceMs),
        clock,
        log,
        signal: options.signal,
      });
      result.info = settled.info;
    }
  } else if (polled.timedOut) {
    log(`timed out after ${seconds} s; deployment ${deploymentId} is still ${polled.info.status}`);
  }
  return result;
}

/** Step 4, after a failure: the automatic rollback CodeDeploy started, followed to its own end. */
async function followRollback(
  { options, clock, log, intervalMs }: Run,
  failed: DeploymentInfo,
  deploymentGroupId: string | undefined,
): Promise<DeployOutcome["rollback"]> {
  const { client, region } = options;
  const rollbackId = await findRollback(client, failed, { clock, intervalMs, log, signal: options.signal });
  if (!rollbackId) return undefined;
  log(
    `automatic rollback ${rollbackId} started for ${failed.deploymentId}: ${consoleUrl(region, rollbackId)}`,
  );
  const rolled = await pollDeployment({
    client,
    deploymentId: rollbackId,
    intervalMs,
    deadline: clock.now() + (options.rollbackTimeoutMs ?? defaults.rollbackTimeoutMs),
    clock,
    log,
    signal: options.signal,
  });
  const report = await reportFor(client, region, rolled.info, deploymentGroupId, log);
  return { ...report, timedOut: rolled.timedOut };
}

async function reportFor(
  client: CodeDeployClient,
  region: string,
  info: DeploymentInfo,
  deploymentGroupId: string | undefined,
  log: (line: string) => void,
): Promise<DeploymentReport> {
  const deploymentId = info.deploymentId ?? "unknown";
  const report: DeploymentReport = {
    deploymentId,
    status: info.status ?? "Unknown",
    consoleUrl: consoleUrl(region, deploymentId),
    errorCode: info.errorInformation?.code,
    errorMessage: info.errorInformation?.message,
    failures: [],
  };
  if (info.status === "Failed" || info.status === "Stopped") {
    const diagnostics = await collectFailures(client, deploymentId, deploymentGroupId);
    report.failures = diagnostics.failures;
    report.diagnosticsUnavailable = diagnostics.unavailable;
    for (const failure of diagnostics.failures) log(`failed: ${describeFailure(failure)}`);
    if (diagnostics.unavailable) log(`the failed targets could not be listed: ${diagnostics.unavailable}`);
  }
  return report;
}

/**
 * CodeDeploy records the rollback's id on the failed deployment, sometimes a moment after the
 * failure itself: re-read it for a few intervals before concluding there is no rollback.
 */
async function findRollback(
  client: CodeDeployClient,
  failed: DeploymentInfo,
  context: { clock: Clock; intervalMs: number; log: (line: string) => void; signal?: AbortSignal },
): Promise<string | undefined> {
  let info = failed;
  for (let attempt = 0; ; attempt++) {
    const id = info.rollbackInfo?.rollbackDeploymentId;
    if (id) return id;
    if (!info.autoRollbackConfiguration?.enabled || attempt >= 3 || context.signal?.aborted) {
      if (info.rollbackInfo?.rollbackMessage) context.log(`rollback: ${info.rollbackInfo.rollbackMessage}`);
      return undefined;
    }
    await context.clock.sleep(context.intervalMs, context.signal);
    try {
      info = await getDeployment(client, failed.deploymentId!);
    } catch (error) {
      if (isFatalAwsError(error)) throw awsFailure(`GetDeployment for ${failed.deploymentId}`, error);
    }
  }
}

async function getDeployment(client: CodeDeployClient, deploymentId: string): Promise<DeploymentInfo> {
  const out = await client.send(new GetDeploymentCommand({ deploymentId }));
  return out.deploymentInfo ?? { deploymentId };
}

export async function stopDeployment(
  client: CodeDeployClient,
  deploymentId: string,
  log: (line: string) => void,
) {
  try {
    const out = await client.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
    log(
      `stop requested for ${deploymentId}: ${out.status ?? "Pending"}${out.statusMessage ? ` (${out.statusMessage})` : ""}`,
    );
  } catch (error) {
    throw awsFailure(`StopDeployment ${deploymentId}`, error);
  }
}

/**
 * For a cancellation handler: stops the deployment (with rollback) only if it is still active, so a
 * deployment that already finished is never touched. Returns the status it found.
 */
export async function stopIfActive(
  client: CodeDeployClient,
  deploymentId: string,
  log: (line: string) => void,
): Promise<{ status: string; stopped: boolean }> {
  let info: DeploymentInfo;
  try {
    info = await getDeployment(client, deploymentId);
  } catch (error) {
    throw awsFailure(`GetDeployment for ${deploymentId}`, error);
  }
  const status = info.status ?? "Unknown";
  if (terminalStatuses.has(status)) {
    log(`deployment ${deploymentId} already ${status}: nothing to stop`);
    return { status, stopped: false };
  }
  await stopDeployment(client, deploymentId, log);
  return { status, stopped: true };
}

/** A multi-line, human summary of an outcome (CLI output and the job summary's text). */
export function describeOutcome(outcome: DeployOutcome): string[] {
  const lines = [`deployment ${outcome.deploymentId}: ${outcome.status} (${outcome.consoleUrl})`];
  if (outcome.errorCode || outcome.errorMessage) {
    lines.push(`  error: ${[outcome.errorCode, outcome.errorMessage].filter(Boolean).join(": ")}`);
  }
  for (const f of outcome.failures) lines.push(`  ${describeFailure(f)}`);
  if (outcome.diagnosticsUnavailable)
    lines.push(`  failed targets unavailable: ${outcome.diagnosticsUnavailable}`);
  if (outcome.rollback) {
    const r = outcome.rollback;
    lines.push(
      `rollback ${r.deploymentId}: ${r.status}${r.timedOut ? " (still running when we stopped waiting)" : ""} (${r.consoleUrl})`,
    );
    for (const f of r.failures) lines.push(`  ${describeFailure(f)}`);
  }
  return lines;
}
