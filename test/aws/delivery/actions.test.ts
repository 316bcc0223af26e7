/**
 * The committed action bundles (actions/<name>/dist/index.js) run as the runner runs them: inputs in
 * INPUT_* variables, outputs and state written to the files GitHub names, against moto's S3 and
 * CodeDeploy on loopback. This proves the thin adapters wire the core correctly after bundling.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
} from "@aws-sdk/client-codedeploy";
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { loadEnvironment } from "#core/environments/load.js";
import { type MotoServer, startMoto } from "../../support/moto.js";
import { repoPath, repoRoot } from "../../support/repo.js";
import { environmentModel, refusedCalls } from "../contract/lib/contract.js";
import { allEnvironments } from "../contract/lib/environments.js";
import { type RecordingProxy, startRecordingProxy } from "../contract/lib/recorder.js";

const work = mkdtempSync(path.join(tmpdir(), "actions-"));
/** The digest of the workers image the workflow would have pushed; the bundle carries it. */
const workersDigest = `sha256:${"cd".repeat(32)}`;
const aws = loadEnvironment("dev", { dir: repoPath("environments") }).config.aws!;
let moto: MotoServer;
/** Sits between the actions and moto and records every call, for the deploy role's contract. */
let proxy: RecordingProxy;

before(async () => {
  moto = await startMoto();
  proxy = await startRecordingProxy(moto.endpoint);
  const clientConfig = {
    region: aws.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
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
  const codedeploy = new CodeDeployClient(clientConfig);
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
  await proxy?.close();
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

/** Parses GitHub's `name<<delimiter … delimiter` file-command format. */
function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const body: string[] = [];
    while (++i < lines.length && lines[i] !== match[2]) body.push(lines[i]!);
    values[match[1]!] = body.join("\n");
  }
  return values;
}

async function runAction(
  name: string,
  inputs: Record<string, string>,
  state: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(work, `${name}-`));
  const files = { GITHUB_OUTPUT: "output", GITHUB_STATE: "state", GITHUB_STEP_SUMMARY: "summary" };
  const fileEnv = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.join(dir, f)]));
  for (const file of Object.values(fileEnv)) writeFileSync(file, "");
  const env: NodeJS.ProcessEnv = {
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
    ...fileEnv,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])),
  };
  const child = spawn(process.execPath, [repoPath("actions", name, "dist", "index.js")], {
    env,
    cwd: repoRoot,
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  return {
    code,
    stdout,
    outputs: parseFileCommands(readFileSync(fileEnv.GITHUB_OUTPUT!, "utf8")),
    state: parseFileCommands(readFileSync(fileEnv.GITHUB_STATE!, "utf8")),
    summary: readFileSync(fileEnv.GITHUB_STEP_SUMMARY!, "utf8"),
  };
}

describe("bundled actions against moto", () => {
  let packaged: ActionRun;

  test("package-bundle builds, uploads to the environment's bucket and reports the object", async () => {
    packaged = await runAction("package-bundle", {
      environment: "dev",
      out: "",
      "part-size-mib": "8",
      "workers-image-digest": workersDigest,
    });
    assert.equal(packaged.code, 0, packaged.stdout);
    const { outputs } = packaged;
    assert.match(outputs.sha256!, /^[0-9a-f]{64}$/);
    assert.equal(outputs.bucket, aws.artifactBucket);
    assert.equal(outputs.key, `${aws.artifactPrefix}${outputs.sha256}.zip`);
    assert.match(outputs.etag!, /^"[0-9a-f]{32}"$/);
    assert.ok(outputs["version-id"], "the versioned bucket's VersionId is an output");
    assert.equal(outputs.skipped, "false");
    assert.match(packaged.summary, /Runtime bundle for dev/);

    const again = await runAction("package-bundle", {
      environment: "dev",
      out: "",
      "part-size-mib": "8",
      "workers-image-digest": workersDigest,
    });
    assert.equal(again.code, 0, again.stdout);
    assert.equal(again.outputs.sha256, outputs.sha256, "same commit, same bundle");
    assert.equal(again.outputs.skipped, "true");
    assert.equal(again.outputs["version-id"], outputs["version-id"]);
  });

  test("package-bundle with an unknown environment fails with one sentence", async () => {
    const run = await runAction("package-bundle", { environment: "qa", out: "", "part-size-mib": "8" });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /::error::unknown environment "qa": there is no .*qa\.yaml; choose one of dev, local, prod, staging\./,
    );
  });

  test("codedeploy-deploy creates the deployment, saves state for the post step and reports the timeout", async () => {
    assert.ok(packaged, "runs after the package test");
    const run = await runAction("codedeploy-deploy", {
      environment: "dev",
      bucket: packaged.outputs.bucket!,
      key: packaged.outputs.key!,
      etag: packaged.outputs.etag!,
      "version-id": packaged.outputs["version-id"]!,
      // moto keeps every deployment "Created": one minute, then give up without StopDeployment,
      // which moto does not implement.
      "timeout-minutes": "1",
      "rollback-timeout-minutes": "1",
      "poll-interval-seconds": "5",
      "if-active": "fail",
      "active-wait-minutes": "0",
      "file-exists-behavior": "OVERWRITE",
      "ignore-application-stop-failures": "false",
      "stop-on-timeout": "false",
    });
    assert.equal(run.code, 1, run.stdout);
    const id = run.outputs["deployment-id"]!;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(run.outputs.status, "Created");
    assert.equal(
      run.outputs["console-url"],
      `https://${aws.region}.console.aws.amazon.com/codesuite/codedeploy/deployments/${id}?region=${aws.region}`,
    );
    assert.equal(run.state.deploymentId, id);
    assert.equal(run.state.finished, "true");
    assert.equal(run.state.phase, "post");
    assert.match(
      run.stdout,
      new RegExp(`::error::CodeDeploy deployment ${id} did not finish within 1 minutes`),
    );

    // The post step of a run that finished its wait leaves the deployment alone.
    const finishedPost = await runAction(
      "codedeploy-deploy",
      {},
      { phase: "post", deploymentId: id, region: aws.region, finished: "true" },
    );
    assert.equal(finishedPost.code, 0, finishedPost.stdout);
    assert.doesNotMatch(finishedPost.stdout, /stopping/);

    // The post step of a killed wait stops the deployment; moto lacks StopDeployment, so the attempt
    // itself is what is checked.
    const cancelledPost = await runAction(
      "codedeploy-deploy",
      {},
      { phase: "post", deploymentId: id, region: aws.region },
    );
    assert.match(
      cancelledPost.stdout,
      new RegExp(
        `::warning::the run ended while deployment ${id} was still being watched: stopping it with rollback`,
      ),
    );
    assert.match(cancelledPost.stdout, new RegExp(`StopDeployment ${id} failed`));
  });

  test("every call the actions made is allowed by dev's deploy role (IAM simulator)", async () => {
    const calls = proxy.calls.filter((c) => c.service === "s3" || c.service === "codedeploy");
    for (const op of [
      "HeadObject",
      "PutObject",
      "GetDeploymentGroup",
      "ListDeployments",
      "CreateDeployment",
      "GetDeployment",
    ])
      assert.ok(
        calls.some((c) => c.operation === op),
        `${op} among ${[...new Set(calls.map((c) => c.operation))].join(", ")}`,
      );
    const environments = allEnvironments();
    const dev = environments.find((e) => e.name === "dev")!;
    assert.deepEqual(
      await refusedCalls(
        environmentModel(dev, { allEnvironments: environments }),
        "bootstrap.DeployRole",
        calls,
      ),
      [],
    );
  });
});
