/**
 * Contract between the engine hosts and their instance role: every `aws` CLI call of the CodeDeploy
 * lifecycle scripts (deploy/scripts), and the bundle download the CodeDeploy agent makes, with the
 * values the data stack publishes (the parameter path, the secrets its parameters name), judged by
 * the IAM simulator against the instance role and its permissions boundary. Then the boundary on
 * its own: a role of the stacks that held every permission would still get no IAM, no other
 * environment's hosts and no other environment's secrets.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { runtimeParameterPath, workersRepositoryName } from "#core/infrastructure/parameters.js";
import { repoPath } from "../../support/repo.js";
import { type EnvironmentModel, environmentModel, judge, refusals } from "./lib/contract.js";
import { allEnvironments } from "./lib/environments.js";
import { grantedActions } from "./lib/handlers.js";
import { evaluate, type Role } from "./lib/iam.js";
import type { RecordedCall } from "./lib/recorder.js";
import { inShape } from "./lib/shapes.js";

const environments = allEnvironments();
const scriptsDir = repoPath("deploy", "scripts");

/** Every `aws <service> <command>` in the lifecycle scripts. */
function scriptCommands(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(scriptsDir).filter((f) => f.endsWith(".sh"))) {
    const text = readFileSync(path.join(scriptsDir, file), "utf8");
    for (const line of text.split("\n")) {
      if (/^\s*#/.test(line) || /command -v aws/.test(line)) continue;
      for (const m of line.matchAll(/\baws ([a-z0-9-]+) ([a-z0-9-]+)/g)) found.add(`${m[1]} ${m[2]}`);
    }
  }
  return [...found].sort();
}

/** What the scripts and the agent call during a deployment, with the environment's real values. */
function hostCalls(model: EnvironmentModel): RecordedCall[] {
  const data = model.stacks.get("data")!;
  const parameter = (logicalId: string) => String(data.resources.get(logicalId)!.properties.Value);
  const aws = model.config.aws!;
  const bundle = { Bucket: aws.artifactBucket, Key: `${aws.artifactPrefix}${"a".repeat(64)}.zip` };
  return [
    // install.sh
    {
      service: "ssm",
      operation: "GetParametersByPath",
      input: { Path: runtimeParameterPath(aws) },
      via: "mock",
    },
    {
      service: "secretsmanager",
      operation: "GetSecretValue",
      input: { SecretId: parameter("DbSecretIdParameter") },
      via: "mock",
    },
    {
      service: "secretsmanager",
      operation: "GetSecretValue",
      input: { SecretId: parameter("WorkersDbSecretIdParameter") },
      via: "mock",
    },
    {
      service: "secretsmanager",
      operation: "GetSecretValue",
      input: { SecretId: parameter("AdminSecretIdParameter") },
      via: "mock",
    },
    // The workers' and the metrics exporter's own Camunda users: the hosts never need the admin's
    // password for them.
    ...["WorkersCamundaSecretIdParameter", "MonitoringCamundaSecretIdParameter"].map(
      (logicalId): RecordedCall => ({
        service: "secretsmanager",
        operation: "GetSecretValue",
        input: { SecretId: parameter(logicalId) },
        via: "mock",
      }),
    ),
    // start.sh pulls the workers image: Docker's ECR credential helper asks for a token, then the
    // registry serves the manifest and the layers.
    ...["GetAuthorizationToken", "BatchGetImage", "GetDownloadUrlForLayer"].map(
      (operation): RecordedCall => ({
        service: "ecr",
        operation,
        input: { repositoryName: workersRepositoryName(aws) },
        via: "mock",
      }),
    ),
    // The CodeDeploy agent fetches the revision (by version: the deployment pins it).
    { service: "s3", operation: "GetObject", input: bundle, via: "mock" },
    { service: "s3", operation: "GetObjectVersion", input: bundle, via: "mock" },
  ];
}

/** Grants of the instance role no call above uses, each with the reason it stays. */
const reviewedUnused: Record<string, string> = {};

describe("host calls against the instance role", () => {
  test("the lifecycle scripts call exactly the AWS APIs this contract models", () => {
    assert.deepEqual(scriptCommands(), ["secretsmanager get-secret-value", "ssm get-parameters-by-path"]);
  });

  for (const name of ["dev", "prod"]) {
    test(`${name}: every call is allowed (identity policy and boundary), and every grant is used`, async () => {
      const model = environmentModel(environments.find((e) => e.name === name)!, {
        allEnvironments: environments,
      });
      const role = model.roles.get("app.InstanceRole")!;
      assert.ok(role.boundary, "the instance role carries the permissions boundary");
      const verdicts = await judge(role, hostCalls(model), model.context);
      assert.deepEqual(refusals(verdicts), []);
      const used = new Set(verdicts.map((v) => v.request.action.toLowerCase()));
      const unused = [...(await grantedActions(role.policies))].filter(
        (a) => !used.has(a) && !(a in reviewedUnused),
      );
      assert.deepEqual(unused, []);
    });
  }

  test("the hosts never read the database master secret, and dev's hosts cannot read prod's settings (one account)", async () => {
    const layout = inShape(environments, "shared-account");
    const dev = environmentModel(layout.find((e) => e.name === "dev")!, { allEnvironments: layout });
    const prod = environmentModel(layout.find((e) => e.name === "prod")!, { allEnvironments: layout });
    const role = dev.roles.get("app.InstanceRole")!;
    const master = dev.stacks.get("data")!.outputs.MasterUserSecretArn!;
    const own = await judge(
      role,
      [{ service: "secretsmanager", operation: "GetSecretValue", input: { SecretId: master }, via: "mock" }],
      dev.context,
    );
    assert.notEqual(
      own.find((v) => v.request.action === "secretsmanager:GetSecretValue")?.decision,
      "Allowed",
    );
    const foreign = await judge(role, hostCalls(prod), prod.context);
    // A registry token is not scoped (ECR offers no resource for it); it opens only what the
    // role's own ECR statements allow, which name dev's repository.
    assert.deepEqual(
      foreign
        .filter((v) => v.decision === "Allowed" && v.request.action !== "ecr:GetAuthorizationToken")
        .map((v) => `${v.request.action} ${v.request.resource}`),
      [],
    );
  });
});

describe("permissions boundary", () => {
  /** A role of the stacks as a hostile template would write it: every action allowed. */
  function adminInsideBoundary(model: EnvironmentModel): Role {
    const instance = model.roles.get("app.InstanceRole")!;
    return {
      ...instance,
      id: "app.AdminRole",
      policies: [
        {
          name: "everything",
          policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        },
      ],
    };
  }

  test("caps a role that allows everything: no IAM, no STS role switching, no other environment's hosts or secrets", async () => {
    const layout = inShape(environments, "shared-account");
    const dev = environmentModel(layout.find((e) => e.name === "dev")!, { allEnvironments: layout });
    const admin = adminInsideBoundary(dev);
    const account = dev.context.account;
    const instance = (env: string) => ({
      resource: `arn:aws:ec2:eu-west-2:${account}:instance/i-0abc`,
      context: { "aws:ResourceTag/camunda:environment": env },
    });
    const refused = [
      { action: "iam:CreateUser", resource: `arn:aws:iam::${account}:user/backdoor` },
      {
        action: "iam:AttachRolePolicy",
        resource: `arn:aws:iam::${account}:role/camunda-dev-app-InstanceRole-A1B2C3D4E5F6`,
      },
      { action: "iam:PassRole", resource: `arn:aws:iam::${account}:role/camunda-prod-github-deploy` },
      { action: "sts:AssumeRole", resource: `arn:aws:iam::${account}:role/camunda-prod-github-deploy` },
      { action: "organizations:LeaveOrganization", resource: "*" },
      { action: "ssm:SendCommand", ...instance("prod") },
      { action: "ssm:StartSession", ...instance("staging") },
      {
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:eu-west-2:${account}:secret:AdminSecret-AbCdEf`,
        context: { "aws:ResourceTag/camunda:environment": "prod" },
      },
      { action: "s3:PutObject", resource: "arn:aws:s3:::camunda-prod-artifacts-111111111111/bundles/x.zip" },
      { action: "rds:DeleteDBCluster", resource: `arn:aws:rds:eu-west-2:${account}:cluster:prod` },
    ];
    for (const request of refused) {
      const { decision } = await evaluate(admin, request);
      assert.notEqual(decision, "Allowed", `${request.action} on ${request.resource}`);
    }
    // What the boundary leaves to the role's own policy: its own hosts, its own secrets.
    for (const request of [
      { action: "ssm:SendCommand", ...instance("dev") },
      {
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:eu-west-2:${account}:secret:AdminSecret-AbCdEf`,
        context: { "aws:ResourceTag/camunda:environment": "dev" },
      },
    ]) {
      assert.equal(
        (await evaluate(admin, request)).decision,
        "Allowed",
        `${request.action} (own environment)`,
      );
    }
  });

  test("every role the stacks create carries the boundary", () => {
    const model = environmentModel(environments.find((e) => e.name === "prod")!, {
      allEnvironments: environments,
    });
    const stackRoles = [...model.roles.values()].filter((r) => !r.id.startsWith("bootstrap."));
    assert.ok(stackRoles.length >= 5);
    for (const role of stackRoles) {
      assert.equal(
        role.boundaryArn,
        `arn:aws:iam::${model.context.account}:policy/camunda-prod-github-infrastructure-boundary`,
        role.id,
      );
      assert.ok(role.boundary, `${role.id}: the boundary is the bootstrap stack's policy`);
    }
  });
});
