/**
 * deploy-infrastructure.yml (with the reusable deploy-stacks.yml) run by nektos/act
 * (test/support/act.ts) on a push to main, against moto (PyPI moto[server] on loopback) with the
 * project's stand-ins for configure-aws-credentials and aws-cloudformation-github-deploy.
 *
 * moto stands in for dev's account as an administrator leaves it before the first deployment: the
 * bootstrap stack (the GitHub roles, from the real template), the artifact bucket, the workers' ECR
 * repository and the CodeDeploy application and group (moto's CloudFormation cannot create CodeDeploy
 * resources). There is no Docker engine here, so the commit's workers image is put into ECR by the
 * test, as an earlier run of the same commit would have pushed it; the job then reuses it. moto cannot create
 * the five deployed stacks (no Fn::Cidr, no Aurora), so the tree under test gets them reduced: the
 * real template's parameters, one parameter-store entry as the only resource. What is checked is the
 * workflows' own work: which stacks get change sets from which parameter files under which roles and
 * names, in which order, what stops when a step fails, the bundle in S3 and the CodeDeploy deployment
 * asked for. moto never runs a deployment (it stays "Created"), so the test stops the run once the
 * deployment exists.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, type TestContext, test } from "node:test";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ListChangeSetsCommand,
  type Parameter,
} from "@aws-sdk/client-cloudformation";
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
  ListDeploymentsCommand,
} from "@aws-sdk/client-codedeploy";
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { listEnvironments, loadEnvironment } from "#core/environments/load.js";
import {
  deployOrder,
  planStack,
  toParameterFile,
  workersRepositoryName,
} from "#core/infrastructure/parameters.js";
import { type ActLine, pushEvent, runWorkflow, testRepository, WorkflowTree } from "../../support/act.js";
import { accountCredentials, type MotoServer, startMoto } from "../../support/moto.js";
import { repoPath } from "../../support/repo.js";
import { parseTemplate } from "../../unit/cloudformation/templates.js";

const workflow = ".github/workflows/deploy-infrastructure.yml";
const environmentsDir = repoPath("environments");
const dev = loadEnvironment("dev", { dir: environmentsDir }).config;
const aws = dev.aws as NonNullable<typeof dev.aws>;
const allEnvironments = listEnvironments(environmentsDir).map(
  (n) => loadEnvironment(n, { dir: environmentsDir }).config,
);
const plan = (key: "bootstrap" | (typeof deployOrder)[number]) =>
  planStack(dev, key, { repository: testRepository, allEnvironments });

let moto: MotoServer;
let credentials: Awaited<ReturnType<typeof accountCredentials>>;
let clients: { cfn: CloudFormationClient; s3: S3Client; codedeploy: CodeDeployClient };

before(async () => {
  moto = await startMoto();
  // Everything lives in dev's account, where the workflow's role sessions work.
  credentials = await accountCredentials(moto.endpoint, aws.accountId);
  const config = { endpoint: moto.endpoint, region: aws.region, credentials };
  clients = {
    cfn: new CloudFormationClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    codedeploy: new CodeDeployClient(config),
  };
  const bootstrap = plan("bootstrap");
  await clients.cfn.send(
    new CreateStackCommand({
      StackName: bootstrap.stackName,
      TemplateBody: readFileSync(repoPath("cloudformation", "bootstrap.yaml"), "utf8"),
      Parameters: toParameterFile(bootstrap.parameters),
      Capabilities: ["CAPABILITY_NAMED_IAM"],
    }),
  );
  const bootstrapped = (await clients.cfn.send(new DescribeStacksCommand({ StackName: bootstrap.stackName })))
    .Stacks?.[0];
  assert.equal(bootstrapped?.StackStatus, "CREATE_COMPLETE", bootstrapped?.StackStatusReason);
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: aws.artifactBucket,
      CreateBucketConfiguration: { LocationConstraint: aws.region as BucketLocationConstraint },
    }),
  );
  await clients.s3.send(
    new PutBucketVersioningCommand({
      Bucket: aws.artifactBucket,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
  awsCli(["ecr", "create-repository", "--repository-name", workersRepositoryName(aws)]);
  await clients.codedeploy.send(
    new CreateApplicationCommand({ applicationName: aws.codeDeploy.application, computePlatform: "Server" }),
  );
  await clients.codedeploy.send(
    new CreateDeploymentGroupCommand({
      applicationName: aws.codeDeploy.application,
      deploymentGroupName: aws.codeDeploy.deploymentGroup,
      serviceRoleArn: `arn:aws:iam::${aws.accountId}:role/codedeploy-service`,
    }),
  );
});

/** The AWS CLI of the runner image, in dev's account on moto (for ECR, which has no SDK client here). */
function awsCli(args: string[]): string {
  return execFileSync(repoPath(".venv", "runner", "bin", "aws"), [...args, "--output", "json"], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_DEFAULT_REGION: aws.region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
    },
  });
}

/** Puts a workers image for `commit` into ECR, as an earlier run of that commit would have; returns its digest. */
function workersImageOf(commit: string): string {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      size: 2,
      digest: `sha256:${createHash("sha256").update(commit).digest("hex")}`,
    },
    layers: [],
  });
  const put = JSON.parse(
    awsCli([
      "ecr",
      "put-image",
      "--repository-name",
      workersRepositoryName(aws),
      "--image-tag",
      commit,
      "--image-manifest",
      manifest,
    ]),
  ) as { image: { imageId: { imageDigest: string } } };
  return put.image.imageId.imageDigest;
}

after(async () => {
  for (const client of Object.values(clients ?? {})) client.destroy();
  await moto?.stop();
});

/** The real template's parameters and nothing moto cannot create. */
function reducedTemplate(
  tree: WorkflowTree,
  key: string,
  extraParameters: Record<string, object> = {},
): string {
  const real = parseTemplate(tree.path(`cloudformation/${key}.yaml`));
  return `${JSON.stringify(
    {
      AWSTemplateFormatVersion: "2010-09-09",
      Description: `The ${key} stack reduced by the workflow test to what moto can create: the real parameters, one parameter-store entry.`,
      Parameters: { ...real.Parameters, ...extraParameters },
      Resources: {
        Deployed: {
          Type: "AWS::SSM::Parameter",
          Properties: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a template
            Name: { "Fn::Sub": "/workflow-test/${AWS::StackName}" },
            Type: "String",
            Value: key,
          },
        },
      },
    },
    null,
    2,
  )}\n`;
}

function treeWithReducedStacks(
  label: string,
  extraParameters: Partial<Record<string, Record<string, object>>> = {},
): WorkflowTree {
  const tree = WorkflowTree.fromCheckout(label);
  for (const key of deployOrder)
    tree.write(`cloudformation/${key}.yaml`, reducedTemplate(tree, key, extraParameters[key]));
  tree.commit("stacks reduced to what moto can create");
  return tree;
}

/** moto's ListChangeSets answers for every stack; keep the one asked for. */
async function changeSetsOf(stackName: string) {
  const all = (await clients.cfn.send(new ListChangeSetsCommand({ StackName: stackName }))).Summaries ?? [];
  return all.filter((s) => s.StackName === stackName);
}

async function stackParameters(stackName: string): Promise<Record<string, string>> {
  try {
    const stack = (await clients.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    return Object.fromEntries(
      (stack?.Parameters ?? []).map((p: Parameter) => [p.ParameterKey, p.ParameterValue]),
    );
  } catch {
    return {};
  }
}

async function deployments(): Promise<string[]> {
  return (
    (
      await clients.codedeploy.send(
        new ListDeploymentsCommand({
          applicationName: aws.codeDeploy.application,
          deploymentGroupName: aws.codeDeploy.deploymentGroup,
        }),
      )
    ).deployments ?? []
  );
}

function deploy(t: TestContext, tree: WorkflowTree, onLine?: (line: ActLine) => void, signal?: AbortSignal) {
  return runWorkflow({
    tree,
    workflow,
    event: "push",
    payload: pushEvent(tree),
    env: { AWS_ENDPOINT_URL: moto.endpoint },
    timeoutMs: 480_000,
    ...(onLine ? { onLine } : {}),
    ...(signal ? { signal } : {}),
  }).then((run) => {
    t.diagnostic(run.timings());
    return run;
  });
}

describe("deploy-infrastructure.yml run by act against moto", () => {
  test("change sets for the five stacks in order, the bundle in S3, the CodeDeploy deployment of that object", async (t) => {
    const tree = treeWithReducedStacks("deploy");
    const digest = workersImageOf(tree.head());
    const stop = new AbortController();
    const packaged: Record<string, string> = {};
    let deploymentSeen = false;
    try {
      const run = await deploy(
        t,
        tree,
        (line) => {
          if (line.jobID === "runtime" && line.command === "set-output" && line.stepID?.[0] === "package")
            packaged[line.name ?? ""] = line.arg ?? "";
          // moto keeps a deployment "Created" for ever: once it exists, the workflow's part is done.
          if (
            line.jobID === "runtime" &&
            line.raw_output &&
            /deployment [0-9a-f-]{36}: Created/.test(line.msg ?? "")
          ) {
            deploymentSeen = true;
            stop.abort();
          }
        },
        stop.signal,
      );
      assert.equal(run.jobResult("check"), "success", run.log("check"));
      assert.equal(run.jobResult("deploy"), "success", run.log("deploy"));
      assert.ok(deploymentSeen, `the runtime job asked CodeDeploy for a deployment:\n${run.log("runtime")}`);
      assert.equal(
        run.outputs("runtime", "image").digest,
        digest,
        "the commit's image, found in ECR, not rebuilt",
      );

      // Each stack from its change set, with the parameters the plan step wrote, in deploy order.
      for (const key of deployOrder) {
        const expected = plan(key);
        const actual = await stackParameters(expected.stackName);
        for (const [name, value] of Object.entries(expected.parameters))
          assert.equal(actual[name], value, `${expected.stackName}: parameter ${name}`);
        const sets = await changeSetsOf(expected.stackName);
        assert.equal(sets.length, 1, `${expected.stackName}: ${JSON.stringify(sets)}`);
        assert.match(sets[0]?.ChangeSetName ?? "", new RegExp(`${key}-1-1$`));
        assert.equal(sets[0]?.ExecutionStatus, "EXECUTE_COMPLETE");
        const described = await clients.cfn.send(
          new DescribeChangeSetCommand({ ChangeSetName: sets[0]?.ChangeSetId }),
        );
        assert.equal(described.ChangeSetName, sets[0]?.ChangeSetName);
      }
      const order = run
        .steps("deploy")
        .map((s) => s.step)
        .filter((s) => s.endsWith(" stack"));
      assert.deepEqual(order, ["Network stack", "Data stack", "App stack", "Alarms stack", "Delivery stack"]);
      assert.match(run.summaries("deploy").join("\n"), /\| delivery \| success \|/);

      // The bundle is in the artifact bucket under the key package-bundle reported…
      assert.equal(packaged.bucket, aws.artifactBucket);
      assert.match(packaged.key ?? "", new RegExp(`^${aws.artifactPrefix}[0-9a-f]{64}\\.zip$`));
      const head = await clients.s3.send(
        new HeadObjectCommand({ Bucket: packaged.bucket, Key: packaged.key }),
      );
      assert.equal(head.ETag, packaged.etag);
      assert.equal(head.VersionId, packaged["version-id"]);
      // … and that exact object version is what CodeDeploy was asked to deploy.
      const ids = await deployments();
      assert.equal(ids.length, 1);
      const info = (await clients.codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: ids })))
        .deploymentsInfo?.[0];
      const s3 = info?.revision?.s3Location;
      assert.deepEqual(
        [s3?.bucket, s3?.key, s3?.eTag, s3?.version, s3?.bundleType],
        [packaged.bucket, packaged.key, packaged.etag?.replace(/"/g, ""), packaged["version-id"], "zip"],
      );
      assert.equal(path.basename(s3?.key ?? ""), `${packaged.sha256}.zip`);
    } finally {
      tree.dispose();
    }
  });

  test("a failing stack stops the later stacks and the runtime job", async (t) => {
    // After the first deployment, a merge leaves its conflict markers in the data template.
    const tree = treeWithReducedStacks("deploy-failing");
    tree.write(
      "cloudformation/data.yaml",
      `<<<<<<< HEAD\n${tree.read("cloudformation/data.yaml")}=======\n>>>>>>> main\n`,
    );
    tree.commit("a bad merge");
    try {
      const run = await deploy(t, tree);
      assert.equal(run.exitCode, 1, run.log());
      assert.equal(run.jobResult("check"), "success", run.log("check"));
      assert.equal(run.jobResult("deploy"), "failure", run.log("deploy"));
      assert.ok(!run.startedJobs().includes("runtime"), "runtime needs the stacks: it never starts");
      const steps = Object.fromEntries(run.steps("deploy").map((s) => [s.step, s.result]));
      assert.equal(steps["Network stack"], "success");
      assert.equal(steps["Data stack"], "failure");
      for (const later of ["App stack", "Alarms stack", "Delivery stack"])
        assert.ok(
          !(later in steps) || steps[later] === "skipped",
          `${later} did not run: ${JSON.stringify(steps)}`,
        );
      assert.equal(steps.Summary, "success", "the summary runs always");
      const failure = run.annotations("deploy").find((a) => a.level === "error");
      assert.match(failure?.message ?? "", /Failed to create Change Set/);
      const summary = run.summaries("deploy").join("\n");
      assert.match(summary, /\| network \| success \|/);
      assert.match(summary, /\| data \| failure \|/);
      assert.match(summary, /\| app \| skipped \|/);
      assert.equal((await changeSetsOf(plan("app").stackName)).length, 1, "no new change set for app");
      assert.equal((await deployments()).length, 1, "no new deployment");
    } finally {
      tree.dispose();
    }
  });
});
