import type { CreateDeploymentCommandInput, FileExistsBehavior } from "@aws-sdk/client-codedeploy";

/** CodeDeploy rejects descriptions over 256 characters. */
export const maxDescriptionLength = 256;

export interface RevisionLocation {
  bucket: string;
  key: string;
  /** The ETag S3 returned for the upload (quotes are stripped; CodeDeploy compares the bare value). */
  etag?: string;
  versionId?: string;
}

export interface DescriptionParts {
  /** owner/name */
  repository?: string;
  sha?: string;
  runUrl?: string;
  /** Free text appended last, cut first when space runs out. */
  note?: string;
}

/**
 * "camunda-gitops owner/repo@abc123def456 run https://…": the commit and the run that made the
 * deployment, so the console leads back to the workflow. Parts are dropped from the least useful
 * end until it fits in 256 characters.
 */
export function deploymentDescription(parts: DescriptionParts): string {
  const origin =
    parts.repository && parts.sha ? `${parts.repository}@${parts.sha.slice(0, 12)}` : parts.sha?.slice(0, 12);
  const pieces = [
    "camunda-gitops",
    origin,
    parts.runUrl ? `run ${parts.runUrl}` : undefined,
    parts.note,
  ].filter((p): p is string => Boolean(p));
  while (pieces.length > 1 && pieces.join(" ").length > maxDescriptionLength) pieces.pop();
  const text = pieces.join(" ");
  return text.length > maxDescriptionLength ? `${text.slice(0, maxDescriptionLength - 1)}…` : text;
}

export interface CreateRequestOptions {
  application: string;
  deploymentGroup: string;
  revision: RevisionLocation;
  description: string;
  fileExistsBehavior: FileExistsBehavior;
  ignoreApplicationStopFailures: boolean;
  /** Also roll back when a CloudWatch alarm of the group stops the deployment. */
  rollbackOnAlarm?: boolean;
}

export function createDeploymentInput(options: CreateRequestOptions): CreateDeploymentCommandInput {
  const { revision } = options;
  return {
    applicationName: options.application,
    deploymentGroupName: options.deploymentGroup,
    revision: {
      revisionType: "S3",
      s3Location: {
        bucket: revision.bucket,
        key: revision.key,
        bundleType: "zip",
        ...(revision.etag ? { eTag: revision.etag.replace(/^"|"$/g, "") } : {}),
        ...(revision.versionId ? { version: revision.versionId } : {}),
      },
    },
    description: options.description.slice(0, maxDescriptionLength),
    autoRollbackConfiguration: {
      enabled: true,
      events: options.rollbackOnAlarm
        ? ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
        : ["DEPLOYMENT_FAILURE"],
    },
    fileExistsBehavior: options.fileExistsBehavior,
    ignoreApplicationStopFailures: options.ignoreApplicationStopFailures,
  };
}

export function consoleUrl(region: string, deploymentId: string): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}`;
}

/** Where the agent writes every hook's output on the instance. */
export function hostScriptLog(deploymentGroupId: string | undefined, deploymentId: string): string {
  return `/opt/codedeploy-agent/deployment-root/${deploymentGroupId ?? "<deployment-group-id>"}/${deploymentId}/logs/scripts.log`;
}
