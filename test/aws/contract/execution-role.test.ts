/**
 * Contract between the stacks and CloudFormation's execution role.
 *
 * Coverage: every action the CloudFormation resource handlers of the templates' resource types list
 * (create, read, update, delete; from the registry schemas cfn-lint ships) is granted, unless a
 * reviewed entry below says why the templates never make it; and nothing is granted beyond those
 * lists except reviewed entries. A template that adds a resource type fails here until its handler's
 * permissions are granted or reviewed.
 *
 * Isolation: the IAM simulator evaluates the calls CloudFormation makes for one environment against
 * that environment's execution role (allowed) and against another environment's (refused), with
 * the stacks' tags and names, in both account layouts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { permissionsBoundaryArn, runtimeParameterPath } from "#core/infrastructure/parameters.js";
import { repoPath } from "../../support/repo.js";
import { loadTemplates } from "../../unit/cloudformation/templates.js";
import { type EnvironmentModel, environmentModel } from "./lib/contract.js";
import { allEnvironments } from "./lib/environments.js";
import { expand, grantedActions, handlerPermissions } from "./lib/handlers.js";
import { type Decision, evaluate, type IamRequest, type Role } from "./lib/iam.js";
import { inShape, shapes } from "./lib/shapes.js";

const environments = allEnvironments();
const executionRole = "bootstrap.ExecutionRole";

interface Reviewed {
  /** An action or a glob over actions (service:Prefix*). */
  pattern: string;
  reason: string;
}

/**
 * Handler actions the role does not get: each serves a property or a feature the templates never
 * use, so CloudFormation never makes the call for these stacks. If a template starts using one, the
 * deployment fails with AccessDenied naming the action, and the entry moves to the policy.
 */
export const notGranted: Reviewed[] = [
  { pattern: "autoscaling:*LoadBalancers", reason: "Classic Load Balancers: the group uses TargetGroupARNs" },
  {
    pattern: "autoscaling:*LifecycleHook",
    reason: "CodeDeploy installs its lifecycle hook with its own service role; the template declares none",
  },
  { pattern: "autoscaling:*NotificationConfiguration", reason: "no NotificationConfigurations on the group" },
  {
    pattern: "autoscaling:*InstanceRefresh",
    reason: "instances are replaced by the AutoScalingRollingUpdate policy, not by instance refresh",
  },
  { pattern: "managed-fleets:*", reason: "no managed fleets: a plain Auto Scaling group" },
  { pattern: "vpc-lattice:*", reason: "no VPC Lattice traffic sources" },
  {
    pattern: "codedeploy:CreateDeployment",
    reason: "the group declares no Deployment property; deployments come from the deploy role",
  },
  {
    pattern: "codedeploy:GetDeployment",
    reason: "read by the group handler only for its Deployment property, which the template does not set",
  },
  {
    pattern: "codedeploy:ListDeployments",
    reason: "read by the group handler only for its Deployment property, which the template does not set",
  },
  { pattern: "codedeploy:StopDeployment", reason: "the group declares no Deployment property" },
  {
    pattern: "codedeploy:*ApplicationRevision",
    reason: "the group declares no Deployment property, so no revision is registered by CloudFormation",
  },
  {
    pattern: "codedeploy:GetDeploymentConfig",
    reason: "the group names a predefined configuration; the handler reads it only for a Deployment property",
  },
  { pattern: "codedeploy:RegisterOnPremisesInstance", reason: "EC2 instances only, no on-premises targets" },
  {
    pattern: "cognito-idp:DescribeUserPoolClient",
    reason: "the listener forwards; no authenticate-cognito action",
  },
  {
    pattern: "ec2:AcceptAddressTransfer",
    reason: "the Elastic IP is allocated, never transferred from another account",
  },
  {
    pattern: "ec2:*PrivateNatGatewayAddress",
    reason: "the NAT gateway has one public address, no secondary private ones",
  },
  { pattern: "ec2:*NatGatewayAddress", reason: "the NAT gateway has one address, set at creation" },
  { pattern: "ec2:*SubnetCidrBlock", reason: "no IPv6 or secondary CIDR blocks on the subnets" },
  {
    pattern: "ec2:*VpnGateway",
    reason: "the VPC gateway attachment attaches an internet gateway, no VPN gateway",
  },
  { pattern: "ec2:CreateVpcEncryptionControl", reason: "the VPC declares no encryption control" },
  { pattern: "ec2:ModifyVpcTenancy", reason: "default tenancy, never changed" },
  {
    pattern: "ec2:ModifyInstanceCreditSpecification",
    reason: "the instance sets no CreditSpecification (it comes from the launch template)",
  },
  { pattern: "ec2:ModifyInstanceMaintenanceOptions", reason: "no MaintenanceOptions on the instance" },
  { pattern: "ec2:ModifyInstancePlacement", reason: "no placement group, tenancy or host affinity" },
  { pattern: "ec2:ModifyPrivateDnsNameOptions", reason: "no PrivateDnsNameOptions on the instance" },
  { pattern: "elasticloadbalancing:ModifyCapacityReservation", reason: "no MinimumLoadBalancerCapacity" },
  { pattern: "elasticloadbalancing:ModifyIpPools", reason: "no IPAM pools for the load balancer" },
  { pattern: "elasticloadbalancing:SetIpAddressType", reason: "IPv4 only, never changed" },
  {
    pattern: "ecr:SetRepositoryPolicy",
    reason:
      "the workers repository has no repository policy: IAM in the account decides who pushes and pulls",
  },
  {
    pattern: "kms:RetireGrant",
    reason: "the repository uses the AWS managed key aws/ecr, whose key policy lets ECR retire its grants",
  },
  { pattern: "elasticfilesystem:DescribeMountTargets", reason: "the function mounts no file system" },
  { pattern: "s3files:ListMountTargets", reason: "the function mounts no file system" },
  { pattern: "firehose:TagDeliveryStream", reason: "log groups deliver to no Firehose stream" },
  { pattern: "s3:REST.PUT.OBJECT", reason: "log groups deliver to no bucket" },
  {
    pattern: "logs:*LogDelivery",
    reason: "flow logs go to CloudWatch Logs through their role; no vended log delivery",
  },
  { pattern: "logs:PutBearerTokenAuthentication", reason: "no bearer-token log ingestion" },
  {
    pattern: "logs:*DataProtectionPolicy",
    reason: "no data protection policies on the log groups (reading them is granted)",
  },
  { pattern: "logs:*IndexPolicy", reason: "no field index policies (describing them is granted)" },
  { pattern: "logs:*ResourcePolicy", reason: "no log group resource policies (describing them is granted)" },
  { pattern: "logs:PutLogGroupDeletionProtection", reason: "no DeletionProtectionEnabled on the log groups" },
  {
    pattern: "iam:DeleteRolePermissionsBoundary",
    reason: "denied on purpose: every role of the stacks keeps the boundary",
  },
  { pattern: "kms:DisableKey", reason: "the stacks never disable their keys (Enabled is not set)" },
  { pattern: "kms:Encrypt", reason: "the function has no environment variables to encrypt" },
  {
    pattern: "lambda:*CodeSigningConfig",
    reason: "inline code, no code signing configuration (reading the function's is granted)",
  },
  { pattern: "lambda:GetLayerVersion", reason: "the function uses no layers" },
  { pattern: "lambda:AssociateRuntimeAlias", reason: "the function has no runtime alias" },
  { pattern: "lambda:PassCapacityProvider", reason: "the function uses no capacity provider" },
  { pattern: "lambda:PublishVersion", reason: "no AutoPublishAlias or versions" },
  { pattern: "lambda:PutFunctionScalingConfig", reason: "no scaling configuration" },
  { pattern: "s3:GetObject*", reason: "the function's code is inline (ZipFile), not in a bucket" },
  { pattern: "rds:*RoleTo*", reason: "no IAM roles associated with the cluster or instances" },
  { pattern: "rds:*RoleFrom*", reason: "no IAM roles associated with the cluster or instances" },
  {
    pattern: "rds:CreateDBInstanceReadReplica",
    reason: "the reader is an Aurora instance of the cluster, not a read replica",
  },
  { pattern: "rds:PromoteReadReplica", reason: "the cluster has no read replicas to promote" },
  {
    pattern: "rds:CreateDBSnapshot",
    reason: "instances are deleted without snapshots; the cluster (DeletionPolicy Snapshot) keeps the data",
  },
  {
    pattern: "rds:Restore*",
    reason: "the cluster is created empty, never restored from a snapshot or a point in time",
  },
  { pattern: "rds:RemoveFromGlobalCluster", reason: "the cluster belongs to no global cluster" },
  { pattern: "rds:*DBInstanceAutomatedBackupsReplication", reason: "no cross-region backup replication" },
  { pattern: "s3:CreateBucketMetadataTableConfiguration", reason: "no S3 metadata tables" },
  { pattern: "s3:*BucketMetadata*TableConfiguration", reason: "no S3 metadata tables" },
  { pattern: "s3tables:*", reason: "no S3 metadata tables" },
  {
    pattern: "s3:DeleteBucket*",
    reason: "not IAM actions: S3 authorizes the Delete… configuration calls with the matching s3:Put… action",
  },
  { pattern: "s3:DeleteObject", reason: "buckets are retained on delete, never emptied by CloudFormation" },
  { pattern: "s3:PutAccelerateConfiguration", reason: "no transfer acceleration" },
  { pattern: "s3:PutAnalyticsConfiguration", reason: "no analytics configuration" },
  { pattern: "s3:PutBucketAbac", reason: "no attribute-based access control on the buckets" },
  { pattern: "s3:PutBucketAcl", reason: "ACLs are disabled (BucketOwnerEnforced)" },
  { pattern: "s3:PutObjectAcl", reason: "ACLs are disabled (BucketOwnerEnforced)" },
  { pattern: "s3:PutBucketCORS", reason: "the buckets have no CORS rules" },
  { pattern: "s3:PutBucketNotification", reason: "no event notifications" },
  { pattern: "s3:Put*ObjectLockConfiguration", reason: "the buckets use no object lock" },
  { pattern: "s3:PutBucketReplication", reason: "the buckets are not replicated" },
  { pattern: "s3:PutReplicationConfiguration", reason: "the buckets are not replicated" },
  { pattern: "s3:PutBucketWebsite", reason: "the buckets host no website" },
  { pattern: "s3:PutIntelligentTieringConfiguration", reason: "no Intelligent-Tiering configuration" },
  { pattern: "s3:PutInventoryConfiguration", reason: "the buckets have no inventory configuration" },
  { pattern: "s3:PutMetricsConfiguration", reason: "the buckets publish no request metrics" },
  { pattern: "secretsmanager:*Regions*", reason: "secrets are not replicated to other regions" },
  {
    pattern: "sns:PutDataProtectionPolicy",
    reason: "no data protection policy on the topic (reading it is granted)",
  },
  { pattern: "ssm:*Association*", reason: "the instance declares no SsmAssociations" },
];

/** Actions granted although no handler of the templates' types lists them. */
export const extraGranted: Reviewed[] = [
  {
    pattern: "ec2:RebootInstances",
    reason:
      "the host's instance-status alarm reboots the host (arn:aws:automate:…:ec2:reboot), which PutMetricAlarm checks against the caller",
  },
  {
    pattern: "autoscaling:TerminateInstanceInAutoScalingGroup",
    reason: "AutoScalingRollingUpdate replaces the group's instances one at a time",
  },
];

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")}$`,
  );
  return regex.test(action.toLowerCase());
}

function stackResourceTypes(): string[] {
  const types = new Set<string>();
  for (const template of loadTemplates().values()) {
    if (template.name === "bootstrap") continue;
    for (const resource of Object.values(template.Resources)) types.add(resource.Type);
  }
  return [...types].sort();
}

async function neededActions(): Promise<Map<string, Set<string>>> {
  // action → the resource types whose handlers need it
  const needed = new Map<string, Set<string>>();
  const add = (action: string, type: string) => {
    const key = action.toLowerCase();
    if (!needed.has(key)) needed.set(key, new Set());
    needed.get(key)!.add(type);
  };
  for (const type of stackResourceTypes()) {
    if (type.startsWith("Custom::")) {
      add("lambda:InvokeFunction", type);
      continue;
    }
    const handlers = handlerPermissions(type);
    for (const phase of ["create", "read", "update", "delete"] as const) {
      for (const pattern of handlers[phase]) {
        if (pattern.includes("*"))
          for (const action of await expand(pattern)) add(action, `${type} (${pattern})`);
        else add(pattern, type);
      }
    }
  }
  return needed;
}

export interface CoverageGaps {
  missing: string[];
  extra: string[];
  staleNotGranted: string[];
  staleExtra: string[];
}

export async function coverageGaps(role: Role): Promise<CoverageGaps> {
  const granted = await grantedActions(role.policies);
  const needed = await neededActions();
  // "ec2:Describe*" in a handler list means some describe calls; the role names the ones it needs.
  const onlyFromPatterns = (action: string) => [...needed.get(action)!].every((t) => t.includes("("));
  const missingAll = [...needed.keys()].filter((a) => !granted.has(a) && !onlyFromPatterns(a));
  const extraAll = [...granted].filter((a) => !needed.has(a));
  return {
    missing: missingAll.filter((a) => !notGranted.some((r) => matches(r.pattern, a))).sort(),
    extra: extraAll.filter((a) => !extraGranted.some((r) => matches(r.pattern, a))).sort(),
    staleNotGranted: notGranted
      .filter((r) => !missingAll.some((a) => matches(r.pattern, a)))
      .map((r) => r.pattern),
    staleExtra: extraGranted
      .filter((r) => !extraAll.some((a) => matches(r.pattern, a)))
      .map((r) => r.pattern),
  };
}

describe("execution role: coverage against the resource handlers", () => {
  test("grants what the handlers need, minus reviewed exceptions, and nothing else", async () => {
    const dev = environments.find((e) => e.name === "dev")!;
    const role = environmentModel(dev, { allEnvironments: environments }).roles.get(executionRole)!;
    assert.deepEqual(await coverageGaps(role), {
      missing: [],
      extra: [],
      staleNotGranted: [],
      staleExtra: [],
    });
    for (const entry of [...notGranted, ...extraGranted]) assert.ok(entry.reason.length >= 20, entry.pattern);
  });
});

/** The names and tags of one environment's resources, as CloudFormation would create them. */
function world(model: EnvironmentModel) {
  const { config, stacks } = model;
  const aws = config.aws!;
  const name = (key: "network" | "data" | "app" | "alarms" | "delivery") => stacks.get(key)!.stackName;
  const arn = (service: string, rest: string) => `arn:aws:${service}:${aws.region}:${aws.accountId}:${rest}`;
  const tag = { "aws:ResourceTag/camunda:environment": config.name };
  return {
    env: config.name,
    keyPolicy: stacks.get("data")!.resources.get("DataKey")!.properties.KeyPolicy ?? null,
    account: aws.accountId,
    tag,
    requestTag: { "aws:RequestTag/camunda:environment": config.name, "aws:TagKeys": ["camunda:environment"] },
    arn,
    role: (stack: "network" | "data" | "app" | "delivery", logicalId: string) =>
      `arn:aws:iam::${aws.accountId}:role/${name(stack)}-${logicalId}-A1B2C3D4E5F6`,
    boundary: permissionsBoundaryArn(aws),
    infrastructureRole: aws.infrastructureRoleArn,
    deployRole: aws.deployRoleArn,
    bucket: `arn:aws:s3:::${aws.artifactBucket}`,
    runtimeParameter: arn("ssm", `parameter${runtimeParameterPath(aws)}DB_HOST`),
    function: arn("lambda", `function:${name("data")}-DatabaseUserProvisioner-A1B2C3D4E5F6`),
    group: arn(
      "codedeploy",
      `deploymentgroup:${aws.codeDeploy.application}/${aws.codeDeploy.deploymentGroup}`,
    ),
    alarm: arn("cloudwatch", `alarm:camunda-${config.name}-aurora-cpu`),
    topic: arn("sns", `${name("alarms")}-AlarmTopic-A1B2C3D4E5F6`),
    logGroup: arn("logs", `log-group:/camunda/${config.name}/engine`),
    autoScalingGroup: arn(
      "autoscaling",
      `autoScalingGroup:0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d:autoScalingGroupName/${name("app")}-EngineGroup-A1B2C3D4E5F6`,
    ),
  };
}
type World = ReturnType<typeof world>;

interface Probe {
  label: string;
  /** What the role may do with its own environment's resources. */
  own: Decision | "Denied";
  requests: (actor: World, owner: World) => IamRequest[];
}

/**
 * What CloudFormation does for a stack, and what a template merged into one environment could try
 * against another. `owner` holds the resources; `actor` is the environment whose execution role acts
 * (a create request carries the actor's stack tags).
 */
const probes: Probe[] = [
  {
    label: "create a VPC",
    own: "Allowed",
    requests: (_a, o) => [
      { action: "ec2:CreateVpc", resource: o.arn("ec2", "vpc/vpc-0new"), context: o.requestTag },
    ],
  },
  {
    label: "create a subnet in a VPC",
    own: "Allowed",
    requests: (a, o) => [
      { action: "ec2:CreateSubnet", resource: a.arn("ec2", "subnet/subnet-0new"), context: a.requestTag },
      {
        action: "ec2:CreateSubnet",
        resource: o.arn("ec2", "vpc/vpc-0abc"),
        context: { ...a.requestTag, ...o.tag },
      },
    ],
  },
  {
    label: "launch an instance into a subnet and security group",
    own: "Allowed",
    requests: (a, o) => [
      {
        action: "ec2:RunInstances",
        resource: `arn:aws:ec2:eu-west-2::image/ami-0abc`,
        context: a.requestTag,
      },
      { action: "ec2:RunInstances", resource: a.arn("ec2", "instance/i-0new"), context: a.requestTag },
      { action: "ec2:RunInstances", resource: a.arn("ec2", "volume/vol-0new"), context: a.requestTag },
      {
        action: "ec2:RunInstances",
        resource: a.arn("ec2", "network-interface/eni-0new"),
        context: a.requestTag,
      },
      {
        action: "ec2:RunInstances",
        resource: o.arn("ec2", "subnet/subnet-0abc"),
        context: { ...a.requestTag, ...o.tag },
      },
      {
        action: "ec2:RunInstances",
        resource: o.arn("ec2", "security-group/sg-0abc"),
        context: { ...a.requestTag, ...o.tag },
      },
      {
        action: "iam:PassRole",
        resource: o.role("app", "InstanceRole"),
        context: { "iam:PassedToService": "ec2.amazonaws.com" },
      },
    ],
  },
  {
    label: "terminate an instance",
    own: "Allowed",
    requests: (_a, o) => [
      { action: "ec2:TerminateInstances", resource: o.arn("ec2", "instance/i-0abc"), context: o.tag },
    ],
  },
  {
    label: "open a security group",
    own: "Allowed",
    requests: (_a, o) => [
      {
        action: "ec2:AuthorizeSecurityGroupIngress",
        resource: o.arn("ec2", "security-group/sg-0abc"),
        context: o.tag,
      },
    ],
  },
  {
    label: "move a resource's environment tag",
    own: "Denied",
    requests: (_a, o) => [
      {
        action: "ec2:CreateTags",
        resource: o.arn("ec2", "vpc/vpc-0abc"),
        context: {
          ...o.tag,
          "aws:RequestTag/camunda:environment": o.env === "prod" ? "dev" : "prod",
          "aws:TagKeys": ["camunda:environment"],
        },
      },
    ],
  },
  {
    label: "change a load balancer's listener",
    own: "Allowed",
    requests: (_a, o) => [
      {
        action: "elasticloadbalancing:ModifyListener",
        resource: o.arn(
          "elasticloadbalancing",
          "listener/app/camun-LoadB-1A2B/0123456789abcdef/0123456789abcdef",
        ),
        context: o.tag,
      },
    ],
  },
  {
    label: "resize the engine Auto Scaling group",
    own: "Allowed",
    requests: (_a, o) => [{ action: "autoscaling:UpdateAutoScalingGroup", resource: o.autoScalingGroup }],
  },
  {
    label: "delete the database cluster",
    own: "Allowed",
    requests: (_a, o) => [
      {
        action: "rds:DeleteDBCluster",
        resource: o.arn("rds", "cluster:camunda-data-cluster-abc"),
        context: o.tag,
      },
    ],
  },
  {
    label: "read a secret of the stacks",
    own: "Allowed",
    requests: (_a, o) => [
      {
        action: "secretsmanager:GetSecretValue",
        resource: o.arn("secretsmanager", "secret:AdminSecret-AbCdEf"),
        context: o.tag,
      },
    ],
  },
  {
    label: "read the database master secret (RDS's, untagged)",
    own: "Denied",
    requests: (_a, o) => [
      {
        action: "secretsmanager:GetSecretValue",
        resource: o.arn("secretsmanager", "secret:rds!cluster-abc-QwErTy"),
      },
    ],
  },
  {
    label: "schedule a key's deletion",
    own: "Allowed",
    requests: (_a, o) => [
      {
        action: "kms:ScheduleKeyDeletion",
        resource: o.arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        context: o.tag,
        resourcePolicy: o.keyPolicy,
      },
    ],
  },
  {
    label: "point a key alias elsewhere",
    own: "Allowed",
    requests: (_a, o) => [
      { action: "kms:UpdateAlias", resource: o.arn("kms", `alias/camunda-${o.env}-data`) },
    ],
  },
  {
    label: "write a runtime parameter",
    own: "Allowed",
    requests: (_a, o) => [{ action: "ssm:PutParameter", resource: o.runtimeParameter }],
  },
  {
    label: "run a command on a host",
    own: "Denied",
    requests: (_a, o) => [
      { action: "ssm:SendCommand", resource: o.arn("ec2", "instance/i-0abc"), context: o.tag },
      { action: "ssm:StartSession", resource: o.arn("ec2", "instance/i-0abc"), context: o.tag },
    ],
  },
  {
    label: "create a role with the boundary",
    own: "Allowed",
    requests: (_a, o) => [
      {
        action: "iam:CreateRole",
        resource: o.role("app", "InstanceRole"),
        context: { "iam:PermissionsBoundary": o.boundary },
      },
      {
        action: "iam:PutRolePolicy",
        resource: o.role("app", "InstanceRole"),
        context: { "iam:PermissionsBoundary": o.boundary },
      },
    ],
  },
  {
    label: "create a role without the boundary",
    own: "Denied",
    requests: (_a, o) => [{ action: "iam:CreateRole", resource: o.role("app", "AdminRole") }],
  },
  {
    label: "take the boundary off a role",
    own: "Denied",
    requests: (_a, o) => [
      {
        action: "iam:DeleteRolePermissionsBoundary",
        resource: o.role("app", "InstanceRole"),
        context: { "iam:PermissionsBoundary": o.boundary },
      },
    ],
  },
  {
    label: "change the roles GitHub assumes",
    own: "Denied",
    requests: (_a, o) => [
      {
        action: "iam:PutRolePolicy",
        resource: o.infrastructureRole,
        context: { "iam:PermissionsBoundary": o.boundary },
      },
      {
        action: "iam:UpdateAssumeRolePolicy",
        resource: o.deployRole,
        context: { "iam:PermissionsBoundary": o.boundary },
      },
    ],
  },
  {
    label: "create users or policies",
    own: "Denied",
    requests: (_a, o) => [
      { action: "iam:CreateUser", resource: `arn:aws:iam::${o.account}:user/backdoor` },
      { action: "iam:CreatePolicy", resource: `arn:aws:iam::${o.account}:policy/backdoor` },
    ],
  },
  {
    label: "hand a role to a service that does not run it",
    own: "Denied",
    requests: (_a, o) => [
      {
        action: "iam:PassRole",
        resource: o.role("app", "InstanceRole"),
        context: { "iam:PassedToService": "cloudformation.amazonaws.com" },
      },
    ],
  },
  {
    label: "rewrite the artifact bucket's policy",
    own: "Allowed",
    requests: (_a, o) => [{ action: "s3:PutBucketPolicy", resource: o.bucket }],
  },
  {
    label: "change the database user function",
    own: "Allowed",
    requests: (_a, o) => [
      { action: "lambda:UpdateFunctionCode", resource: o.function },
      { action: "lambda:InvokeFunction", resource: o.function },
    ],
  },
  {
    label: "change the CodeDeploy group",
    own: "Allowed",
    requests: (_a, o) => [{ action: "codedeploy:UpdateDeploymentGroup", resource: o.group }],
  },
  {
    label: "delete an alarm, change the alarm topic, delete a log group",
    own: "Allowed",
    requests: (_a, o) => [
      { action: "cloudwatch:DeleteAlarms", resource: o.alarm },
      { action: "sns:SetTopicAttributes", resource: o.topic },
      { action: "logs:DeleteLogGroup", resource: o.logGroup },
    ],
  },
];

async function verdicts(actor: EnvironmentModel, owner: EnvironmentModel): Promise<Map<string, Decision>> {
  const role = actor.roles.get(executionRole)!;
  const out = new Map<string, Decision>();
  for (const probe of probes) {
    const decisions = await Promise.all(
      probe.requests(world(actor), world(owner)).map((r) => evaluate(role, r)),
    );
    out.set(probe.label, decisions.every((d) => d.decision === "Allowed") ? "Allowed" : "ImplicitlyDenied");
  }
  return out;
}

describe("execution role: one environment's role, every environment's resources", () => {
  for (const shape of shapes) {
    test(`${shape}: dev's role does what dev's stacks need and nothing to staging's or prod's`, async () => {
      const layout = inShape(environments, shape);
      const models = new Map(layout.map((c) => [c.name, environmentModel(c, { allEnvironments: layout })]));
      const dev = models.get("dev")!;
      const own = await verdicts(dev, dev);
      const expectedOwn = Object.fromEntries(
        probes.map((p) => [p.label, p.own === "Allowed" ? "Allowed" : "ImplicitlyDenied"]),
      );
      assert.deepEqual(Object.fromEntries(own), expectedOwn);
      for (const other of ["staging", "prod"]) {
        const foreign = await verdicts(dev, models.get(other)!);
        const allowed = [...foreign].filter(([, d]) => d === "Allowed").map(([label]) => label);
        assert.deepEqual(allowed, [], `dev's execution role reaches ${other}`);
      }
    });
  }

  test("a statement that drops its tag condition is caught (the check can fail)", async () => {
    const layout = inShape(environments, "shared-account");
    const text = readFileSync(repoPath("cloudformation", "bootstrap.yaml"), "utf8");
    const sid = "- Sid: ChangeDatabaseResourcesOfThisEnvironment";
    const start = text.indexOf(sid);
    const condition = text.indexOf("                Condition:\n", start);
    const next = text.indexOf("              - Sid:", start + sid.length);
    const widened = text.slice(0, condition) + text.slice(next);
    const models = layout.map((c) =>
      environmentModel(c, { allEnvironments: layout, templateText: { bootstrap: widened } }),
    );
    const foreign = await verdicts(
      models.find((m) => m.config.name === "dev")!,
      models.find((m) => m.config.name === "prod")!,
    );
    assert.equal(foreign.get("delete the database cluster"), "Allowed");
  });
});
