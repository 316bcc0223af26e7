/**
 * Maps one environment file (environments/<name>.yaml) to the CloudFormation stacks of that
 * environment: stack names, templates, parameters and roles. The deploy workflow, the pull-request
 * change sets and the template tests all read the stacks through this module, so the parameters a
 * stack gets in AWS are the ones cfn-lint checked.
 */
import type { AwsConfig, EnvironmentConfig } from "#core/environments/schema.js";
import { UsageError } from "#core/util/errors.js";

/** Stacks the workflow deploys, in dependency order (each imports outputs of earlier ones). */
export const deployOrder = ["network", "data", "app", "alarms", "delivery"] as const;
export type DeployedStack = (typeof deployOrder)[number];
/** bootstrap is deployed once by an administrator: it creates the roles the workflow assumes. */
export type StackKey = "bootstrap" | DeployedStack;
export const allStacks: readonly StackKey[] = ["bootstrap", ...deployOrder];

export interface StackPlan {
  key: StackKey;
  stackName: string;
  /** Template path relative to the repository root. */
  template: string;
  parameters: Record<string, string>;
  capabilities: string[];
}

/** Placeholder repository for checks that need a value but deploy nothing (cfn-lint, tests). */
export const exampleRepository = "example-org/camunda-gitops";

export interface PlanOptions {
  /** owner/name of the GitHub repository whose workflows may assume the roles (bootstrap only). */
  repository?: string;
  /** Every environment, to decide which one creates the account's GitHub OIDC provider. */
  allEnvironments?: readonly EnvironmentConfig[];
}

type AwsEnvironment = EnvironmentConfig & {
  aws: AwsConfig;
  infrastructure: NonNullable<EnvironmentConfig["infrastructure"]>;
};

export function assertAwsEnvironment(config: EnvironmentConfig): asserts config is AwsEnvironment {
  const missing = [!config.aws && "aws", !config.infrastructure && "infrastructure"].filter(Boolean);
  if (missing.length > 0) {
    throw new UsageError(
      `environment "${config.name}" has no ${missing.join(" or ")} block in environments/${config.name}.yaml, so it has no AWS stacks; add the block or pick an AWS environment (dev, staging, prod).`,
    );
  }
}

export function stackNames(aws: AwsConfig): Record<StackKey, string> {
  return {
    bootstrap: `${aws.stacks.network.replace(/-network$/, "")}-bootstrap`,
    network: aws.stacks.network,
    data: aws.stacks.data,
    app: aws.stacks.app,
    alarms: `${aws.stacks.app}-alarms`,
    delivery: aws.stacks.delivery,
  };
}

export function roleNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** The role CloudFormation runs as; the bootstrap stack names it after the infrastructure role. */
export function executionRoleArn(aws: AwsConfig): string {
  return `${aws.infrastructureRoleArn}-cfn`;
}

/** The role pull requests assume to create (never execute) change sets. */
export function planRoleArn(aws: AwsConfig): string {
  return `${aws.infrastructureRoleArn}-plan`;
}

/** The ECR repository of the workers image (the deploy workflow computes the same name). */
export function workersRepositoryName(aws: AwsConfig): string {
  return `${aws.codeDeploy.application.toLowerCase()}/workers`;
}

/** The permissions boundary every role of the stacks carries (created by the bootstrap stack). */
export function permissionsBoundaryArn(aws: AwsConfig): string {
  return `arn:aws:iam::${aws.accountId}:policy/${roleNameOf(aws.infrastructureRoleArn)}-boundary`;
}

/**
 * The tag every stack (and so every resource CloudFormation creates) carries. The execution role
 * creates resources only with it and changes only resources that have it.
 */
export const environmentTagKey = "camunda:environment";

export function stackTags(environment: string): { Key: string; Value: string }[] {
  return [{ Key: environmentTagKey, Value: environment }];
}

/** Where deploy/scripts/install.sh reads the runtime settings (its default for the group). */
export function runtimeParameterPath(aws: AwsConfig): string {
  return `/camunda-platform/${aws.codeDeploy.deploymentGroup}/`;
}

const promotionOrder = ["dev", "staging", "prod"];

/**
 * An account holds one GitHub OIDC provider; the first environment of each account (in promotion
 * order, then by name) creates it and the others refer to it by its fixed ARN.
 */
export function createsOidcProvider(
  name: string,
  accountId: string,
  all: readonly EnvironmentConfig[],
): boolean {
  const rank = (n: string) =>
    promotionOrder.includes(n) ? promotionOrder.indexOf(n) : promotionOrder.length;
  const sameAccount = all
    .filter((e) => e.aws?.accountId === accountId)
    .map((e) => e.name)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return (sameAccount[0] ?? name) === name;
}

function bool(value: boolean): string {
  return value ? "true" : "false";
}

export function planStack(config: EnvironmentConfig, key: StackKey, options: PlanOptions = {}): StackPlan {
  assertAwsEnvironment(config);
  const { aws, infrastructure: infra, name } = config;
  const names = stackNames(aws);
  const common = { EnvironmentName: name };
  let parameters: Record<string, string>;
  let capabilities: string[] = [];
  switch (key) {
    case "bootstrap": {
      const repository = options.repository;
      if (!repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
        throw new UsageError(
          `the bootstrap stack of "${name}" needs the GitHub repository as owner/name (got ${repository ? `"${repository}"` : "nothing"}); pass --repository owner/name or set GITHUB_REPOSITORY.`,
        );
      }
      parameters = {
        ...common,
        GitHubRepository: repository,
        CreateOidcProvider: bool(
          createsOidcProvider(name, aws.accountId, options.allEnvironments ?? [config]),
        ),
        InfrastructureRoleName: roleNameOf(aws.infrastructureRoleArn),
        DeployRoleName: roleNameOf(aws.deployRoleArn),
        NetworkStackName: names.network,
        DataStackName: names.data,
        AppStackName: names.app,
        AlarmsStackName: names.alarms,
        DeliveryStackName: names.delivery,
        ArtifactBucketName: aws.artifactBucket,
        ArtifactPrefix: aws.artifactPrefix,
        CodeDeployApplication: aws.codeDeploy.application,
        DeploymentGroup: aws.codeDeploy.deploymentGroup,
        RuntimeParameterPath: runtimeParameterPath(aws),
        WorkersRepositoryName: workersRepositoryName(aws),
      };
      capabilities = ["CAPABILITY_NAMED_IAM"];
      break;
    }
    case "network":
      parameters = { ...common, PermissionsBoundaryArn: permissionsBoundaryArn(aws) };
      capabilities = ["CAPABILITY_IAM"];
      break;
    case "data":
      parameters = {
        ...common,
        NetworkStackName: names.network,
        DbInstanceClass: infra.dbInstanceClass,
        MultiAz: bool(infra.multiAz),
        BackupRetentionDays: String(infra.backupRetentionDays),
        DeletionProtection: bool(infra.deletionProtection),
        RuntimeParameterPath: runtimeParameterPath(aws),
        PermissionsBoundaryArn: permissionsBoundaryArn(aws),
      };
      capabilities = ["CAPABILITY_IAM"];
      break;
    case "app":
      parameters = {
        ...common,
        NetworkStackName: names.network,
        DataStackName: names.data,
        EngineNodes: String(infra.engineNodes),
        InstanceType: infra.instanceType,
        CorporateCidr: infra.corporateCidr,
        CertificateArn: infra.certificateArn ?? "",
        ArtifactBucketName: aws.artifactBucket,
        ArtifactPrefix: aws.artifactPrefix,
        DeploymentGroupName: aws.codeDeploy.deploymentGroup,
        WorkersRepositoryName: workersRepositoryName(aws),
        PermissionsBoundaryArn: permissionsBoundaryArn(aws),
      };
      capabilities = ["CAPABILITY_IAM"];
      break;
    case "alarms":
      parameters = {
        ...common,
        DataStackName: names.data,
        AppStackName: names.app,
        EngineNodes: String(infra.engineNodes),
        OldestExternalTaskSeconds: String(infra.alarms.oldestTaskMinutes * 60),
        OldestReviewSeconds: String(infra.alarms.oldestReviewHours * 3600),
        WorkerTimeouts: String(infra.alarms.workerTimeoutsPer5Min),
        HeapUsedPercent: String(infra.alarms.heapUsedPercent),
      };
      break;
    case "delivery":
      parameters = {
        ...common,
        NetworkStackName: names.network,
        AppStackName: names.app,
        AlarmsStackName: names.alarms,
        EngineNodes: String(infra.engineNodes),
        ArtifactBucketName: aws.artifactBucket,
        ArtifactPrefix: aws.artifactPrefix,
        ApplicationName: aws.codeDeploy.application,
        DeploymentGroupName: aws.codeDeploy.deploymentGroup,
        WorkersRepositoryName: workersRepositoryName(aws),
        RuntimeParameterPath: runtimeParameterPath(aws),
        PermissionsBoundaryArn: permissionsBoundaryArn(aws),
      };
      capabilities = ["CAPABILITY_IAM"];
      break;
  }
  return { key, stackName: names[key], template: `cloudformation/${key}.yaml`, parameters, capabilities };
}

/** The stacks the workflow deploys for this environment, in order. */
export function planDeployment(config: EnvironmentConfig): StackPlan[] {
  return deployOrder.map((key) => planStack(config, key));
}

/** The JSON parameter file format of the CloudFormation API and `aws cloudformation create-stack`. */
export function toParameterFile(
  parameters: Record<string, string>,
): { ParameterKey: string; ParameterValue: string }[] {
  return Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

/**
 * Checks that tie the environment file to the templates' rules, reported before any AWS call:
 * CloudFormation would otherwise fail late, in the middle of a stack update.
 */
export function environmentProblems(config: EnvironmentConfig): string[] {
  assertAwsEnvironment(config);
  const problems: string[] = [];
  const { infrastructure: infra, aws, name } = config;
  if (name === "prod" && infra.backupRetentionDays < 14) {
    problems.push(
      `infrastructure.backupRetentionDays is ${infra.backupRetentionDays}; prod keeps at least 14 days`,
    );
  }
  if (name === "prod" && !infra.deletionProtection) {
    problems.push("infrastructure.deletionProtection is false; prod keeps the database protected");
  }
  if (name === "prod" && !infra.certificateArn) {
    problems.push(
      "infrastructure.certificateArn is not set; prod serves Cockpit, Tasklist and the REST API over HTTPS only",
    );
  }
  if (infra.backupRetentionDays < 7) {
    problems.push(`infrastructure.backupRetentionDays is ${infra.backupRetentionDays}; keep at least 7 days`);
  }
  if (roleNameOf(aws.infrastructureRoleArn).length > 55) {
    problems.push(
      "the role name in aws.infrastructureRoleArn is longer than 55 characters (the -plan role and the -boundary policy would not fit)",
    );
  }
  for (const arn of [aws.infrastructureRoleArn, aws.deployRoleArn]) {
    if (!arn.includes(`::${aws.accountId}:`))
      problems.push(`${arn} is not in account ${aws.accountId} (aws.accountId)`);
  }
  return problems;
}
