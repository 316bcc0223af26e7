/**
 * infrastructure-changeset.yml run by nektos/act (test/support/act.ts) against moto's CloudFormation
 * (PyPI moto[server] on loopback), with the project's stand-ins for configure-aws-credentials and
 * aws-cloudformation-github-deploy. The dev leg of the matrix runs (staging and prod are the same job
 * with other names). Two of dev's stacks exist in moto beforehand, as placeholders the test creates:
 * moto cannot create the real ones (no Fn::Cidr, no Aurora), and a change set only needs a stack to
 * compare with. Change sets are then computed by moto from the real templates and parameter files.
 */
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListChangeSetsCommand,
} from "@aws-sdk/client-cloudformation";
import { loadEnvironment } from "#core/environments/load.js";
import { planStack } from "#core/infrastructure/parameters.js";
import { pullRequestEvent, runWorkflow, testRepository, WorkflowTree } from "../../support/act.js";
import { accountCredentials, type MotoServer, startMoto } from "../../support/moto.js";
import { repoPath } from "../../support/repo.js";

const workflow = ".github/workflows/infrastructure-changeset.yml";
const dev = loadEnvironment("dev", { dir: repoPath("environments") }).config;
const stackName = (key: "network" | "data" | "app" | "alarms" | "delivery") =>
  planStack(dev, key, { repository: testRepository }).stackName;
const existing = ["network", "delivery"] as const;
let moto: MotoServer;
let cfn: CloudFormationClient;
let tree: WorkflowTree;

before(async () => {
  moto = await startMoto();
  cfn = new CloudFormationClient({
    endpoint: moto.endpoint,
    region: dev.aws?.region ?? "eu-west-2",
    // The workflow's role session works in dev's account, so the stacks must be there.
    credentials: await accountCredentials(moto.endpoint, dev.aws?.accountId ?? ""),
  });
  for (const key of existing) {
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName(key),
        TemplateBody: JSON.stringify({
          Description: `placeholder for the ${key} stack, created by the test`,
          Resources: { Placeholder: { Type: "AWS::SNS::Topic" } },
        }),
      }),
    );
  }
  tree = WorkflowTree.fromCheckout("changeset");
});

after(async () => {
  cfn?.destroy();
  await moto?.stop();
  tree?.dispose();
});

function changeSets(t: TestContext, headRepository?: string, on: WorkflowTree = tree) {
  return runWorkflow({
    tree: on,
    workflow,
    event: "pull_request",
    payload: pullRequestEvent(on, headRepository ? { headRepository } : {}),
    matrix: { environment: "dev" },
    env: { AWS_ENDPOINT_URL: moto.endpoint },
    timeoutMs: 300_000,
  }).then((run) => {
    t.diagnostic(run.timings());
    return run;
  });
}

/** moto's ListChangeSets answers for every stack; keep the one asked for. */
async function changeSetsOf(name: string) {
  const all = (await cfn.send(new ListChangeSetsCommand({ StackName: name }))).Summaries ?? [];
  return all.filter((s) => s.StackName === name);
}

async function stackStatus(name: string): Promise<string> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus ?? "";
  } catch {
    return "MISSING";
  }
}

describe("infrastructure-changeset.yml run by act against moto", () => {
  test("a change set for each existing stack, none executed; the missing stacks listed as to be created", async (t) => {
    const run = await changeSets(t);
    assert.equal(run.exitCode, 0, run.log());
    assert.deepEqual(run.jobs(), [{ jobID: "changeset", result: "success" }], "the fork job is skipped");
    assert.match(
      run.log("changeset"),
      new RegExp(`assumed arn:aws:iam::${dev.aws?.accountId}:role/[\\w-]+-plan as session`),
      "the plan role, not the infrastructure role",
    );

    for (const key of existing) {
      const name = stackName(key);
      const sets = await changeSetsOf(name);
      assert.deepEqual(
        sets.map((s) => [s.ChangeSetName, s.Status, s.ExecutionStatus]),
        [[`pr-dev-42-1-${key}`, "CREATE_COMPLETE", "AVAILABLE"]],
        `${name}: one change set, created and never executed`,
      );
      assert.equal(await stackStatus(name), "CREATE_COMPLETE", `${name} is left as it was`);
    }
    // A change set for a missing stack would leave it in REVIEW_IN_PROGRESS: none was made.
    for (const key of ["data", "app", "alarms"] as const) {
      assert.equal(await stackStatus(stackName(key)), "MISSING", `${stackName(key)} was not touched`);
    }

    const summary = run.summaries("changeset").join("\n");
    assert.match(summary, /### Infrastructure change sets for dev/);
    for (const key of existing) {
      const section = summary.split(`#### ${key}`)[1]?.split("####")[0] ?? "";
      assert.match(section, /\| Add \| \w+ \| AWS::/, `${key} lists the resources the change set adds`);
    }
    for (const key of ["data", "app", "alarms"]) {
      const section = summary.split(`#### ${key}`)[1]?.split("####")[0] ?? "";
      assert.match(section, /Stack does not exist yet/);
    }
  });

  test("a pull request from a fork gets the note and no AWS call at all", async (t) => {
    const before = await Promise.all(
      existing.map(async (key) => (await changeSetsOf(stackName(key))).length),
    );
    const run = await changeSets(t, "someone/camunda-gitops");
    assert.equal(run.exitCode, 0, run.log());
    assert.deepEqual(run.jobs(), [{ jobID: "fork", result: "success" }]);
    assert.match(run.summaries("fork").join("\n"), /pull requests from forks get no OIDC token/);
    const afterRun = await Promise.all(
      existing.map(async (key) => (await changeSetsOf(stackName(key))).length),
    );
    assert.deepEqual(afterRun, before);
  });

  test("a step that fails before the stacks are looked up: the summary says they were not checked", async (t) => {
    const broken = WorkflowTree.fromCheckout("changeset-broken");
    try {
      broken.write(
        "environments/dev.yaml",
        broken.read("environments/dev.yaml").replace(/^(\s+)region: .*$/m, "$1region: Europe/London"),
      );
      broken.commit("a region that is not one");
      const run = await changeSets(t, undefined, broken);
      assert.equal(run.jobResult("changeset"), "failure", run.log());
      const steps = Object.fromEntries(run.steps("changeset").map((s) => [s.step, s.result]));
      assert.equal(steps["Plan the stacks"], "failure");
      assert.equal(steps.Summary, "success");
      const summary = run.summaries("changeset").join("\n");
      // Nothing was looked up, so nothing may be called missing.
      assert.doesNotMatch(summary, /does not exist yet/, summary);
      assert.match(summary, /Not checked: an earlier step failed/);
    } finally {
      broken.dispose();
    }
  });
});
