import {
  type CodeDeployClient,
  type DeploymentInfo,
  type DeploymentOverview,
  GetDeploymentCommand,
} from "@aws-sdk/client-codedeploy";
import { awsErrorName, describeAwsError } from "#core/aws/clients.js";
import type { Clock } from "./clock.js";
import { awsFailure, isFatalAwsError } from "./errors.js";

export const terminalStatuses = new Set(["Succeeded", "Failed", "Stopped"]);

export interface PollOptions {
  client: CodeDeployClient;
  deploymentId: string;
  intervalMs: number;
  /** Absolute deadline (clock.now() value). */
  deadline: number;
  clock: Clock;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface PollResult {
  info: DeploymentInfo;
  /** The deadline passed (or the signal aborted) before the deployment reached a final status. */
  timedOut: boolean;
  aborted: boolean;
}

export function describeOverview(overview: DeploymentOverview | undefined): string {
  const o = overview ?? {};
  const parts = [
    `${o.Pending ?? 0} pending`,
    `${o.InProgress ?? 0} in progress`,
    `${o.Succeeded ?? 0} succeeded`,
    `${o.Failed ?? 0} failed`,
  ];
  if (o.Skipped) parts.push(`${o.Skipped} skipped`);
  if (o.Ready) parts.push(`${o.Ready} ready`);
  return parts.join(", ");
}

/**
 * Polls GetDeployment at a fixed interval until a final status or the deadline. Unlike the SDK's
 * waiter it gives up at once on errors that waiting cannot fix (access denied, expired credentials,
 * validation), and prints one line whenever the status or the instance counts change.
 */
export async function pollDeployment(options: PollOptions): Promise<PollResult> {
  const { client, deploymentId, clock, log } = options;
  let last: DeploymentInfo | undefined;
  let lastLine = "";
  let lastTransient = "";
  for (;;) {
    try {
      const out = await client.send(new GetDeploymentCommand({ deploymentId }));
      const info = out.deploymentInfo;
      if (!info)
        throw Object.assign(new Error("GetDeployment returned no deploymentInfo"), { name: "EmptyResponse" });
      last = info;
      lastTransient = "";
      const line = `deployment ${deploymentId}: ${info.status ?? "Unknown"} (${describeOverview(info.deploymentOverview)})`;
      if (line !== lastLine) {
        log(line);
        lastLine = line;
      }
      if (terminalStatuses.has(info.status ?? "")) return { info, timedOut: false, aborted: false };
    } catch (error) {
      if (isFatalAwsError(error)) throw awsFailure(`GetDeployment for ${deploymentId}`, error);
      // Throttling and 5xx are retried by the SDK first; whatever is left is retried here until the deadline.
      const name = awsErrorName(error) ?? "Error";
      if (name !== lastTransient)
        log(`deployment ${deploymentId}: GetDeployment failed (${describeAwsError(error)}); retrying`);
      lastTransient = name;
    }
    if (options.signal?.aborted) return { info: last ?? { deploymentId }, timedOut: false, aborted: true };
    const remaining = options.deadline - clock.now();
    if (remaining <= 0) return { info: last ?? { deploymentId }, timedOut: true, aborted: false };
    await clock.sleep(Math.min(options.intervalMs, remaining), options.signal);
    if (options.signal?.aborted) return { info: last ?? { deploymentId }, timedOut: false, aborted: true };
  }
}
