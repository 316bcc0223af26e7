/**
 * Contract between the delivery code and the deploy role: every AWS API call that `package` and
 * `deploy` make — recorded while they run against moto's S3 and CodeDeploy (SDK middleware), against
 * a mocked CodeDeploy for the failure paths moto cannot produce (mock.calls(), mock in the test
 * names), and from the bundled GitHub Actions in their own processes (a recording proxy in front of
 * moto) — is allowed by the deploy role that bootstrap.yaml creates for the environment, as
 * @cloud-copilot/iam-simulate evaluates it. The same calls are refused to another environment's
 * deploy role, and the test notices when the code gains an SDK call this file does not exercise.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
} from "@aws-sdk/client-codedeploy";
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutBucketVersioningCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { createCodeDeployClient, createS3Client } from "#core/aws/clients.js";
import { uploadBundle } from "#core/bundle/upload.js";
import type { Clock } from "#core/codedeploy/clock.js";
import { runDeployment, stopIfActive } from "#core/codedeploy/deploy.js";
import { applyEnv, type MotoServer, startMoto } from "../../support/moto.js";
import { repoPath, repoRoot } from "../../support/repo.js";
import { allowedElsewhere, environmentModel, refusedCalls } from "./lib/contract.js";
import { allEnvironments } from "./lib/environments.js";
import {
  callsFromMock,
  type RecordedCall,
  type RecordingProxy,
  recordClient,
  startRecordingProxy,
} from "./lib/recorder.js";
import { inShape, shapes } from "./lib/shapes.js";

const environments = allEnvironments();
const dev = environments.find((e) => e.name === "dev")!;
const aws = dev.aws!;
const deployRole = "bootstrap.DeployRole";
const work = mkdtempSync(path.join(tmpdir(), "delivery-calls-"));
const recorded: RecordedCall[] = [];
let moto: MotoServer;
let proxy: RecordingProxy;
let restoreEnv: () => void;

/** Time advances only when the code sleeps. */
function virtualClock(): Clock {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

before(async () => {
  moto = await startMoto();
  proxy = await startRecordingProxy(moto.endpoint);
  restoreEnv = applyEnv(moto.env);
  const setup = {
    region: aws.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "t", secretAccessKey: "t" },
  };
  const s3 = new S3Client({ ...setup, forcePathStyle: true });
  await s3.send(
    new CreateBucketCommand({
      Bucket: aws.artifactBucket,
      CreateBucketConfiguration: { LocationConstraint: aws.region as BucketLocationConstraint },
    }),
  );
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: aws.artifactBucket,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
  s3.destroy();
  const codedeploy = new CodeDeployClient(setup);
  await codedeploy.send(
    new CreateApplicationCommand({ applicationName: aws.codeDeploy.application, computePlatform: "Server" }),
  );
  await codedeploy.send(
    new CreateDeploymentGroupCommand({
      applicationName: aws.codeDeploy.application,
      deploymentGroupName: aws.codeDeploy.deploymentGroup,
      serviceRoleArn: `arn:aws:iam::${aws.accountId}:role/codedeploy-service`,
    }),
  );
  codedeploy.destroy();
});

after(async () => {
  restoreEnv?.();
  await proxy?.close();
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

function file(name: string, bytes: number): { file: string; sha256: string } {
  const target = path.join(work, name);
  writeFileSync(target, randomBytes(bytes));
  return { file: target, sha256: randomBytes(32).toString("hex") };
}

async function runBundledAction(
  name: string,
  inputs: Record<string, string>,
  state: Record<string, string> = {},
) {
  const dir = mkdtempSync(path.join(work, `${name}-`));
  const files = Object.fromEntries(
    ["GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"].map((k) => [k, path.join(dir, k.toLowerCase())]),
  );
  for (const f of Object.values(files)) writeFileSync(f, "");
  const child = spawn(process.execPath, [repoPath("actions", name, "dist", "index.js")], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...moto.env,
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_REGION: aws.region,
      GITHUB_WORKSPACE: repoRoot,
      RUNNER_TEMP: dir,
      GITHUB_REPOSITORY: "acme/camunda-platform",
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: "42",
      ...files,
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
      ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])),
    },
  });
  let output = "";
  const collect = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  const outputs = Object.fromEntries(
    [...readFileSync(files.GITHUB_OUTPUT!, "utf8").matchAll(/^([^<\n]+)<<(.+)\n([\s\S]*?)\n\2$/gm)].map(
      (m) => [m[1], m[3]],
    ),
  );
  return { code, output, outputs };
}

describe("delivery calls against the deploy role", () => {
  test("S3 on moto: upload, upload of an existing bundle, multipart upload (SDK middleware)", async () => {
    const s3 = createS3Client({ region: aws.region });
    recordClient(s3, recorded);
    const small = file("small.zip", 64 * 1024);
    const first = await uploadBundle({
      client: s3,
      bucket: aws.artifactBucket,
      prefix: aws.artifactPrefix,
      ...small,
    });
    assert.equal(first.skipped, false);
    const again = await uploadBundle({
      client: s3,
      bucket: aws.artifactBucket,
      prefix: aws.artifactPrefix,
      ...small,
    });
    assert.equal(again.skipped, true);
    const large = file("large.zip", 11 * 1024 * 1024);
    const multi = await uploadBundle({
      client: s3,
      bucket: aws.artifactBucket,
      prefix: aws.artifactPrefix,
      partSize: 5 * 1024 * 1024,
      ...large,
    });
    assert.equal(multi.parts, 3);
    s3.destroy();
    const operations = new Set(recorded.map((c) => c.operation));
    for (const op of [
      "HeadObject",
      "PutObject",
      "CreateMultipartUpload",
      "UploadPart",
      "CompleteMultipartUpload",
    ])
      assert.ok(operations.has(op), `${op} was recorded`);
  });

  test("S3 upload that fails half-way aborts the multipart upload (mocked S3)", async () => {
    const s3 = new S3Client({ region: aws.region, credentials: { accessKeyId: "x", secretAccessKey: "y" } });
    const mock = mockClient(s3);
    mock.onAnyCommand().resolves({});
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: "upload-1" });
    mock.on(UploadPartCommand).rejects(Object.assign(new Error("network reset"), { name: "RequestTimeout" }));
    const large = file("failing.zip", 11 * 1024 * 1024);
    await assert.rejects(
      uploadBundle({
        client: s3,
        bucket: aws.artifactBucket,
        prefix: aws.artifactPrefix,
        partSize: 5 * 1024 * 1024,
        ...large,
      }),
    );
    const calls = callsFromMock("s3", mock);
    assert.ok(
      calls.some((c) => c.operation === "AbortMultipartUpload"),
      "the failed upload is aborted",
    );
    recorded.push(...calls);
    mock.restore();
  });

  test("CodeDeploy on moto: pre-flight, CreateDeployment and polling (SDK middleware)", async () => {
    const client = createCodeDeployClient({ region: aws.region });
    recordClient(client, recorded);
    const outcome = await runDeployment({
      client,
      region: aws.region,
      application: aws.codeDeploy.application,
      deploymentGroup: aws.codeDeploy.deploymentGroup,
      revision: { bucket: aws.artifactBucket, key: `${aws.artifactPrefix}abc.zip`, etag: '"0123"' },
      description: "contract test",
      timeoutMs: 30_000,
      intervalMs: 10_000,
      stopOnTimeout: false,
      clock: virtualClock(),
    });
    assert.equal(outcome.status, "Created", "moto never advances a deployment");
    client.destroy();
  });

  test("CodeDeploy failure paths: diagnostics, rollback, stop on timeout and on cancel (mocked CodeDeploy)", async () => {
    const client = new CodeDeployClient({
      region: aws.region,
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
    });
    const mock = mockClient(client);
    const groupInfo = {
      deploymentGroupInfo: {
        applicationName: aws.codeDeploy.application,
        deploymentGroupName: aws.codeDeploy.deploymentGroup,
        deploymentGroupId: "7c1f0d2e-1111-2222-3333-444455556666",
        computePlatform: "Server" as const,
      },
    };
    const base = {
      client,
      region: aws.region,
      application: aws.codeDeploy.application,
      deploymentGroup: aws.codeDeploy.deploymentGroup,
      revision: { bucket: aws.artifactBucket, key: `${aws.artifactPrefix}abc.zip` },
      description: "contract test",
      intervalMs: 10_000,
    };
    // A failed deployment with one failed host and an automatic rollback that succeeds.
    mock.on(GetDeploymentGroupCommand).resolves(groupInfo);
    mock
      .on(ListDeploymentsCommand)
      .resolvesOnce({ deployments: ["d-BUSY"] })
      .resolves({ deployments: [] });
    mock.on(CreateDeploymentCommand).resolves({ deploymentId: "d-MAIN" });
    mock.on(GetDeploymentCommand, { deploymentId: "d-MAIN" }).resolves({
      deploymentInfo: {
        deploymentId: "d-MAIN",
        status: "Failed",
        autoRollbackConfiguration: { enabled: true },
        rollbackInfo: { rollbackDeploymentId: "d-ROLLBACK" },
      },
    });
    mock.on(GetDeploymentCommand, { deploymentId: "d-ROLLBACK" }).resolves({
      deploymentInfo: { deploymentId: "d-ROLLBACK", status: "Succeeded" },
    });
    mock.on(ListDeploymentTargetsCommand).resolves({ targetIds: ["i-0abc"] });
    mock.on(BatchGetDeploymentTargetsCommand).resolves({
      deploymentTargets: [
        {
          deploymentTargetType: "InstanceTarget",
          instanceTarget: {
            targetId: "i-0abc",
            status: "Failed",
            lifecycleEvents: [
              {
                lifecycleEventName: "ValidateService",
                status: "Failed",
                diagnostics: { errorCode: "ScriptFailed" },
              },
            ],
          },
        },
      ],
    });
    const failed = await runDeployment({ ...base, timeoutMs: 600_000, clock: virtualClock() });
    assert.equal(failed.status, "Failed");
    assert.equal(failed.rollback?.status, "Succeeded");
    assert.equal(failed.failures.length, 1);
    recorded.push(...callsFromMock("codedeploy", mock));

    // A deployment still running at the deadline is stopped with rollback.
    mock.reset();
    mock.on(GetDeploymentGroupCommand).resolves(groupInfo);
    mock.on(ListDeploymentsCommand).resolves({ deployments: [] });
    mock.on(CreateDeploymentCommand).resolves({ deploymentId: "d-SLOW" });
    mock
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: "d-SLOW", status: "InProgress" } });
    mock.on(StopDeploymentCommand).resolves({ status: "Pending" });
    mock.on(ListDeploymentTargetsCommand).resolves({ targetIds: [] });
    const slow = await runDeployment({
      ...base,
      timeoutMs: 60_000,
      stopGraceMs: 20_000,
      clock: virtualClock(),
    });
    assert.equal(slow.stopRequested, true);
    recorded.push(...callsFromMock("codedeploy", mock));

    // The post step of a cancelled run stops a deployment that is still active.
    mock.reset();
    mock
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: "d-SLOW", status: "InProgress" } });
    mock.on(StopDeploymentCommand).resolves({ status: "Pending" });
    const stopped = await stopIfActive(client, "d-SLOW", () => {});
    assert.equal(stopped.stopped, true);
    recorded.push(...callsFromMock("codedeploy", mock));
    mock.restore();
    const operations = new Set(recorded.filter((c) => c.service === "codedeploy").map((c) => c.operation));
    for (const op of ["ListDeploymentTargets", "BatchGetDeploymentTargets", "StopDeployment"])
      assert.ok(operations.has(op), `${op} was recorded`);
  });

  test("the bundled actions in their own processes (recording proxy in front of moto)", async () => {
    const packaged = await runBundledAction("package-bundle", {
      environment: "dev",
      out: "",
      "part-size-mib": "8",
      "workers-image-digest": `sha256:${"ef".repeat(32)}`,
    });
    assert.equal(packaged.code, 0, packaged.output);
    // The deployment the moto test above created stays "Created" for ever (moto never runs one), so
    // the group is busy: the action's pre-flight refuses at once instead of waiting. The complete
    // run through CreateDeployment is test/aws/delivery/actions.test.ts, which checks its calls too.
    const busy = await runBundledAction("codedeploy-deploy", {
      environment: "dev",
      bucket: packaged.outputs.bucket!,
      key: packaged.outputs.key!,
      etag: packaged.outputs.etag!,
      "version-id": packaged.outputs["version-id"]!,
      "timeout-minutes": "1",
      "rollback-timeout-minutes": "1",
      "poll-interval-seconds": "5",
      "if-active": "fail",
      "active-wait-minutes": "0",
      "file-exists-behavior": "OVERWRITE",
      "ignore-application-stop-failures": "false",
      "stop-on-timeout": "false",
    });
    assert.equal(busy.code, 1);
    assert.match(busy.output, /already has an active deployment/);
    const wire = proxy.calls.filter((c) => c.service === "s3" || c.service === "codedeploy");
    for (const op of ["HeadObject", "PutObject", "GetDeploymentGroup", "ListDeployments"])
      assert.ok(
        wire.some((c) => c.operation === op),
        `${op} in ${wire.map((c) => c.operation).join(", ")}`,
      );
    recorded.push(...wire);
  });

  test("every SDK command the core sends was exercised above", () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) walk(full);
        else if (entry.endsWith(".ts")) sources.push(readFileSync(full, "utf8"));
      }
    };
    walk(repoPath("actions", "src"));
    const sent = new Set(sources.flatMap((s) => [...s.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!)));
    // lib-storage's Upload sends these for us.
    if (sources.some((s) => s.includes('from "@aws-sdk/lib-storage"')))
      for (const op of [
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
      ])
        sent.add(op);
    const exercised = new Set(recorded.map((c) => c.operation));
    const missing = [...sent].filter((op) => !exercised.has(op)).sort();
    assert.deepEqual(missing, [], "SDK commands in actions/src that no call above exercised: add a case");
  });

  test("the deploy role allows every recorded call (iam-simulate)", async () => {
    assert.ok(recorded.length > 20, `only ${recorded.length} calls recorded`);
    const refused = await refusedCalls(
      environmentModel(dev, { allEnvironments: environments }),
      deployRole,
      recorded,
    );
    assert.deepEqual(refused, []);
  });

  test("another environment's deploy role is refused the same calls, in one shared account and across accounts", async () => {
    const devModel = environmentModel(dev, { allEnvironments: environments });
    // Only the three CodeDeploy calls that support no resource-level permission stay allowed: a limit
    // of CodeDeploy's IAM. CodeDeploy serves a caller only its own account's deployments, so with one
    // account per environment they cannot reach another environment either.
    const unscoped = [
      "codedeploy:BatchGetDeploymentTargets on *",
      "codedeploy:ListDeploymentTargets on *",
      "codedeploy:StopDeployment on *",
    ];
    for (const shape of shapes) {
      const layout = inShape(environments, shape);
      const prod = layout.find((e) => e.name === "prod")!;
      const allowed = await allowedElsewhere(
        environmentModel(prod, { allEnvironments: layout }),
        deployRole,
        recorded,
        devModel,
      );
      // In one account the predefined deployment configurations (CodeDeployDefault.*) are readable
      // by every environment: they belong to none.
      const shared =
        shape === "shared-account"
          ? allowed.filter((a) => !a.includes(":deploymentconfig:CodeDeployDefault."))
          : allowed;
      assert.deepEqual(shared.sort(), unscoped, shape);
    }
  });

  test("a call outside the role's scope, or a role narrowed below the calls, is refused (the check can fail)", async () => {
    const model = environmentModel(dev, { allEnvironments: environments });
    const put = recorded.find((c) => c.operation === "PutObject")!;
    const elsewhere = { ...put, input: { ...put.input, Key: `releases/${String(put.input.Key)}` } };
    const refused = await refusedCalls(model, deployRole, [elsewhere]);
    assert.equal(refused.length, 1);
    assert.match(
      refused[0]!,
      /^s3:PutObject .* needs s3:PutObject on arn:aws:s3:::camunda-dev-artifacts-\d+\/releases\/.*: ImplicitlyDenied/,
    );

    // The template's own CloudFormation placeholder (not a JavaScript template).
    const group = ["$", "{DeploymentGroup}"].join("");
    const narrowed = readFileSync(repoPath("cloudformation", "bootstrap.yaml"), "utf8").replace(
      `deploymentgroup:$\{CodeDeployApplication}/${group}"`,
      `deploymentgroup:$\{CodeDeployApplication}/canary"`,
    );
    assert.ok(narrowed.includes("/canary"), "the edit applied");
    const narrowModel = environmentModel(dev, {
      allEnvironments: environments,
      templateText: { bootstrap: narrowed },
    });
    const lines = await refusedCalls(narrowModel, deployRole, recorded);
    for (const action of ["CreateDeployment", "GetDeployment", "GetDeploymentGroup", "ListDeployments"])
      assert.ok(
        lines.some((l) => l.includes(`needs codedeploy:${action} on`)),
        `${action}:\n${lines.join("\n")}`,
      );
  });
});
