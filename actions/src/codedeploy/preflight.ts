import {
  type CodeDeployClient,
  type DeploymentGroupInfo,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
} from "@aws-sdk/client-codedeploy";
import { awsErrorName } from "#core/aws/clients.js";
import { UserError } from "#core/util/errors.js";
import type { Clock } from "./clock.js";
import { awsFailure } from "./errors.js";

/** A deployment in one of these holds the group: CodeDeploy runs one deployment per group at a time. */
export const activeStatuses = ["Created", "Queued", "InProgress", "Ready"] as const;

export async function getDeploymentGroup(
  client: CodeDeployClient,
  application: string,
  deploymentGroup: string,
): Promise<DeploymentGroupInfo> {
  try {
    const out = await client.send(
      new GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: deploymentGroup }),
    );
    if (!out.deploymentGroupInfo)
      throw new UserError(`CodeDeploy returned no information for group ${deploymentGroup}.`);
    return out.deploymentGroupInfo;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const name = awsErrorName(error);
    if (name === "ApplicationDoesNotExistException" || name === "DeploymentGroupDoesNotExistException") {
      throw new UserError(
        `CodeDeploy has no deployment group "${deploymentGroup}" in application "${application}"; deploy the delivery stack first or fix aws.codeDeploy in the environment file.`,
        { cause: error },
      );
    }
    throw awsFailure(`GetDeploymentGroup ${application}/${deploymentGroup}`, error);
  }
}

export async function listActiveDeployments(
  client: CodeDeployClient,
  application: string,
  deploymentGroup: string,
): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(
        new ListDeploymentsCommand({
          applicationName: application,
          deploymentGroupName: deploymentGroup,
          includeOnlyStatuses: [...activeStatuses],
          nextToken,
        }),
      );
      ids.push(...(page.deployments ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw awsFailure(`ListDeployments in ${application}/${deploymentGroup}`, error);
  }
  return ids;
}

export interface ActiveWaitOptions {
  client: CodeDeployClient;
  application: string;
  deploymentGroup: string;
  /** "fail" refuses at once; "wait" waits up to waitMs for the group to become free. */
  whenActive: "wait" | "fail";
  waitMs: number;
  intervalMs: number;
  clock: Clock;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Returns when no deployment is active in the group; throws a UserError otherwise. */
export async function waitForFreeGroup(options: ActiveWaitOptions): Promise<void> {
  const { client, application, deploymentGroup, clock, log } = options;
  const deadline = clock.now() + options.waitMs;
  let lastSeen = "";
  for (;;) {
    const active = await listActiveDeployments(client, application, deploymentGroup);
    if (active.length === 0) return;
    const list = active.join(", ");
    if (options.whenActive === "fail") {
      throw new UserError(
        `deployment group ${application}/${deploymentGroup} already has an active deployment (${list}); wait for it to finish, or set the active-deployment option to "wait".`,
      );
    }
    if (clock.now() >= deadline || options.signal?.aborted) {
      throw new UserError(
        `deployment group ${application}/${deploymentGroup} was still busy with ${list} after ${Math.round(options.waitMs / 1000)} s; try again later or stop that deployment.`,
      );
    }
    if (list !== lastSeen)
      log(`waiting for the active deployment(s) ${list} in ${deploymentGroup} to finish`);
    lastSeen = list;
    await clock.sleep(Math.min(options.intervalMs, Math.max(deadline - clock.now(), 0)), options.signal);
  }
}
