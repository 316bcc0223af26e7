/**
 * Smoke test against moto's CloudFormation server (PyPI moto[server] on a free loopback port, the
 * real CloudFormation wire protocol, no AWS account): the network stack (VPC, subnets, flow logs,
 * log bucket), the delivery stack (artifact bucket) and the bootstrap stack (GitHub OIDC roles) are
 * created with the dev environment's parameters and report their outputs. moto skips resource types
 * it does not implement without an error; the test lists them, so a reader knows what this smoke
 * test does not prove. The data, app and alarms stacks are not attempted: moto has no Aurora
 * cluster, and the app and alarms stacks import the data stack's outputs.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Output,
  type StackResourceSummary,
} from "@aws-sdk/client-cloudformation";
import { GetBucketEncryptionCommand, S3Client } from "@aws-sdk/client-s3";
import { listEnvironments, loadEnvironment } from "#core/environments/load.js";
import { exampleRepository, planStack, toParameterFile } from "#core/infrastructure/parameters.js";
import { type MotoServer, startMoto } from "../../support/moto.js";
import { repoPath } from "../../support/repo.js";
import { type Json, parseTemplate } from "../../unit/cloudformation/templates.js";

const environmentsFolder = repoPath("environments");

let moto: MotoServer;
let cfn: CloudFormationClient;
let s3: S3Client;
const environments = listEnvironments(environmentsFolder).map(
  (name) => loadEnvironment(name, { dir: environmentsFolder }).config,
);
const dev = loadEnvironment("dev", { dir: environmentsFolder }).config;

before(async () => {
  moto = await startMoto();
  const config = {
    endpoint: moto.endpoint,
    region: dev.aws?.region ?? "eu-west-2",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  cfn = new CloudFormationClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
});

after(async () => {
  cfn?.destroy();
  s3?.destroy();
  await moto?.stop();
});

async function createAndWait(
  key: "network" | "bootstrap" | "delivery",
): Promise<{ outputs: Output[]; resources: StackResourceSummary[] }> {
  const plan = planStack(dev, key, { repository: exampleRepository, allEnvironments: environments });
  await cfn.send(
    new CreateStackCommand({
      StackName: plan.stackName,
      TemplateBody: templateForMoto(key, plan.parameters),
      Parameters: toParameterFile(plan.parameters),
      Capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    }),
  );
  // moto creates stacks synchronously; the loop only guards against a future asynchronous moto.
  for (let attempt = 0; attempt < 50; attempt++) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: plan.stackName }))).Stacks?.[0];
    const status = stack?.StackStatus ?? "";
    if (status.endsWith("_COMPLETE") || status.endsWith("_FAILED")) {
      assert.equal(status, "CREATE_COMPLETE", `${plan.stackName}: ${stack?.StackStatusReason ?? ""}`);
      const resources =
        (await cfn.send(new ListStackResourcesCommand({ StackName: plan.stackName })))
          .StackResourceSummaries ?? [];
      return { outputs: stack?.Outputs ?? [], resources };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${plan.stackName} did not finish`);
}

function ipToNumber(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/**
 * moto does not implement Fn::Cidr (it fails the whole stack with HTTP 500), so the test expands it
 * before sending, the way CloudFormation does: `count` consecutive blocks of `bits` host bits.
 * Everything else reaches moto as written, in CloudFormation's JSON form.
 */
function templateForMoto(key: string, parameters: Record<string, string>): string {
  const template = parseTemplate(repoPath("cloudformation", `${key}.yaml`));
  const { file: _file, name: _name, ...body } = template;
  const paramValue = (ref: Json): string => {
    const name = (ref as { Ref?: string }).Ref ?? "";
    return parameters[name] ?? String(template.Parameters[name]?.Default ?? ref);
  };
  const expand = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(expand);
    if (node && typeof node === "object") {
      const cidr = (node as Record<string, Json>)["Fn::Cidr"];
      if (Array.isArray(cidr)) {
        const [block, count, bits] = cidr as [Json, number, number];
        const [base, prefix] = paramValue(block).split("/");
        const size = 2 ** Number(bits);
        const newPrefix = 32 - Number(bits);
        assert.ok(newPrefix >= Number(prefix), "Fn::Cidr asks for blocks larger than the range");
        return Array.from(
          { length: Number(count) },
          (_, i) => `${numberToIp(ipToNumber(base ?? "") + i * size)}/${newPrefix}`,
        );
      }
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, expand(v)]));
    }
    return node;
  };
  return JSON.stringify(expand(body as unknown as Json));
}

/** Resource types in the template (for the given conditions) that moto did not create. */
function skippedTypes(
  key: string,
  resources: StackResourceSummary[],
  excludedByCondition: string[],
): string[] {
  const template = parseTemplate(repoPath("cloudformation", `${key}.yaml`));
  const created = new Set(resources.map((r) => r.LogicalResourceId));
  return [
    ...new Set(
      Object.entries(template.Resources)
        .filter(([id, r]) => !created.has(id) && !(r.Condition && excludedByCondition.includes(r.Condition)))
        .map(([, r]) => r.Type),
    ),
  ].sort();
}

describe("smoke: moto's CloudFormation accepts the templates it supports", () => {
  test("smoke: network stack is created and reports the VPC, subnets and log bucket", async (t) => {
    const { outputs, resources } = await createAndWait("network");
    const value = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue ?? "";
    assert.match(value("VpcId"), /^vpc-/);
    for (const tier of ["PublicSubnetIds", "PrivateSubnetIds", "DatabaseSubnetIds"]) {
      const ids = value(tier).split(",");
      assert.equal(ids.length, 2, tier);
      for (const id of ids) assert.match(id, /^subnet-/, tier);
    }
    const bucket = value("LogBucketName");
    assert.ok(bucket.length > 0);
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    assert.equal(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
      "AES256",
    );
    // moto's CloudFormation applies only BucketEncryption and Tags of a bucket (not the public access
    // block, versioning, lifecycle or ownership): the policy tests check those on the template.
    t.diagnostic(
      "network: moto ignores the bucket's PublicAccessBlockConfiguration, versioning and lifecycle",
    );
    const types = new Set(resources.map((r) => r.ResourceType));
    for (const type of [
      "AWS::EC2::VPC",
      "AWS::EC2::Subnet",
      "AWS::EC2::RouteTable",
      "AWS::S3::Bucket",
      "AWS::IAM::Role",
    ]) {
      assert.ok(types.has(type), `moto did not create ${type}`);
    }
    // dev has one engine node: no NAT gateway (condition NatEnabled is false).
    const skipped = skippedTypes("network", resources, ["NatEnabled"]);
    t.diagnostic(`network: resource types moto skipped: ${skipped.join(", ") || "none"}`);
  });

  // Needs the network stack's log bucket export (the test above). moto skips the CodeDeploy
  // resources, so their imports from the app and alarms stacks (not creatable on moto: no Aurora
  // cluster) are never resolved.
  test("smoke: delivery stack creates the artifact bucket named in the environment file", async (t) => {
    const { outputs, resources } = await createAndWait("delivery");
    const bucket = outputs.find((o) => o.OutputKey === "ArtifactBucketName")?.OutputValue;
    assert.equal(bucket, dev.aws?.artifactBucket);
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    assert.equal(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
      "aws:kms",
    );
    const skipped = skippedTypes("delivery", resources, []);
    t.diagnostic(`delivery: resource types moto skipped: ${skipped.join(", ") || "none"}`);
    assert.ok(
      skipped.includes("AWS::CodeDeploy::DeploymentGroup"),
      "moto learned CodeDeploy: extend this test",
    );
  });

  test("smoke: bootstrap stack is created and reports the GitHub roles", async (t) => {
    const { outputs, resources } = await createAndWait("bootstrap");
    const value = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue ?? "";
    assert.match(value("InfrastructureRoleArn"), /:role\/camunda-dev-github-infrastructure$/);
    assert.match(value("DeployRoleArn"), /:role\/camunda-dev-github-deploy$/);
    assert.match(value("PlanRoleArn"), /:role\/camunda-dev-github-infrastructure-plan$/);
    assert.match(value("ExecutionRoleArn"), /:role\/camunda-dev-github-infrastructure-cfn$/);
    assert.match(value("PermissionsBoundaryArn"), /:policy\/camunda-dev-github-infrastructure-boundary$/);
    assert.equal(
      value("InfrastructureRoleArn"),
      dev.aws?.infrastructureRoleArn.replace(
        "111111111111",
        value("InfrastructureRoleArn").split(":")[4] ?? "",
      ),
    );
    const roles = resources
      .filter((r) => r.ResourceType === "AWS::IAM::Role")
      .map((r) => r.LogicalResourceId);
    assert.deepEqual(roles.sort(), ["DeployRole", "ExecutionRole", "InfrastructureRole", "PlanRole"]);
    const skipped = skippedTypes("bootstrap", resources, []);
    t.diagnostic(`bootstrap: resource types moto skipped: ${skipped.join(", ") || "none"}`);
  });
});
