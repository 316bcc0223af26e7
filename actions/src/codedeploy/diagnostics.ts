import {
  BatchGetDeploymentTargetsCommand,
  type CodeDeployClient,
  type DeploymentTarget,
  type LifecycleEvent,
  ListDeploymentTargetsCommand,
} from "@aws-sdk/client-codedeploy";
import { describeAwsError } from "#core/aws/clients.js";
import { hostScriptLog } from "./request.js";

/** Why one target failed: the failing lifecycle event and what the agent captured from its script. */
export interface TargetFailure {
  targetId: string;
  status: string;
  lifecycleEvent?: string;
  scriptName?: string;
  errorCode?: string;
  message?: string;
  /** The last lines the script printed (the agent keeps up to 4 KB). */
  logTail?: string;
  /** Where the full output of every hook lives on the instance. */
  hostLog: string;
}

export interface DiagnosticsResult {
  failures: TargetFailure[];
  /** Set when the diagnostics themselves could not be read (e.g. missing permission). */
  unavailable?: string;
}

/** BatchGetDeploymentTargets accepts at most 25 ids per call. */
const batchSize = 25;

/**
 * ListDeploymentTargets (failed ones) → BatchGetDeploymentTargets → for each target, the failed
 * lifecycle events with their diagnostics. Never throws: a deployment's failure must be reported
 * even when its details cannot be read.
 */
export async function collectFailures(
  client: CodeDeployClient,
  deploymentId: string,
  deploymentGroupId: string | undefined,
): Promise<DiagnosticsResult> {
  const hostLog = hostScriptLog(deploymentGroupId, deploymentId);
  try {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListDeploymentTargetsCommand({
          deploymentId,
          nextToken,
          targetFilters: { TargetStatus: ["Failed"] },
        }),
      );
      ids.push(...(page.targetIds ?? []));
      nextToken = page.nextToken;
    } while (nextToken);

    const failures: TargetFailure[] = [];
    for (let i = 0; i < ids.length; i += batchSize) {
      const out = await client.send(
        new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ids.slice(i, i + batchSize) }),
      );
      for (const target of out.deploymentTargets ?? []) failures.push(...targetFailures(target, hostLog));
    }
    return { failures };
  } catch (error) {
    return { failures: [], unavailable: describeAwsError(error) };
  }
}

function targetFailures(target: DeploymentTarget, hostLog: string): TargetFailure[] {
  const t = target.instanceTarget ?? target.ecsTarget ?? target.lambdaTarget ?? target.cloudFormationTarget;
  if (!t) return [];
  const targetId = t.targetId ?? "unknown target";
  const status = t.status ?? "Unknown";
  const events: LifecycleEvent[] = t.lifecycleEvents ?? [];
  const failed = events.filter((e) => e.status === "Failed");
  if (failed.length === 0) {
    if (status !== "Failed") return [];
    // Failed before any hook ran (e.g. the agent could not download the bundle).
    return [{ targetId, status, hostLog }];
  }
  return failed.map((event) => ({
    targetId,
    status,
    lifecycleEvent: event.lifecycleEventName,
    scriptName: event.diagnostics?.scriptName,
    errorCode: event.diagnostics?.errorCode,
    message: event.diagnostics?.message,
    logTail: event.diagnostics?.logTail,
    hostLog,
  }));
}

/** One line for a failure: "i-0abc: AfterInstall scripts/install.sh ScriptFailed: message". */
export function describeFailure(failure: TargetFailure): string {
  const where = [failure.lifecycleEvent, failure.scriptName].filter(Boolean).join(" ");
  const what = [failure.errorCode, failure.message].filter(Boolean).join(": ");
  return `${failure.targetId}: ${where || failure.status}${what ? ` ${what}` : ""} (full log on the host: ${failure.hostLog})`;
}
