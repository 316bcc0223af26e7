/**
 * The CodeDeploy driver against moto's CodeDeploy server: the pre-flight calls and the
 * CreateDeployment request go over the real JSON wire protocol and are read back with GetDeployment.
 * moto never runs a deployment (it stays "Created") and does not implement StopDeployment or the
 * target APIs, so the run is bounded by a short timeout and judged on what CodeDeploy recorded.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
} from "@aws-sdk/client-codedeploy";
import { createCodeDeployClient } from "#core/aws/clients.js";
import type { Clock } from "#core/codedeploy/clock.js";
import { runDeployment } from "#core/codedeploy/deploy.js";
import { deploymentDescription } from "#core/codedeploy/request.js";
import { UserError } from "#core/util/errors.js";
import { applyEnv, type MotoServer, startMoto } from "../../support/moto.js";

let moto: MotoServer;
let restoreEnv: () => void;
let codedeploy: CodeDeployClient;

/** Time advances only when the poller sleeps, so the bounded wait on moto costs no real time. */
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
  restoreEnv = applyEnv(moto.env);
  codedeploy = createCodeDeployClient({ region: "eu-west-2" });
  await codedeploy.send(
    new CreateApplicationCommand({ applicationName: "camunda-test", computePlatform: "Server" }),
  );
  await codedeploy.send(
    new CreateDeploymentGroupCommand({
      applicationName: "camunda-test",
      deploymentGroupName: "camunda-test-engine",
      serviceRoleArn: "arn:aws:iam::123456789012:role/codedeploy-service",
    }),
  );
});

after(async () => {
  codedeploy?.destroy();
  restoreEnv?.();
  await moto?.stop();
});

describe("CodeDeploy request shape against moto's CodeDeploy", () => {
  test("CreateDeployment carries the S3 revision, the description and the rollback settings", async () => {
    const description = deploymentDescription({
      repository: "acme/camunda-platform",
      sha: "0123456789abcdef0123456789abcdef01234567",
      runUrl: "https://github.com/acme/camunda-platform/actions/runs/42",
    });
    const lines: string[] = [];
    let created = "";
    const outcome = await runDeployment({
      client: codedeploy,
      region: "eu-west-2",
      application: "camunda-test",
      deploymentGroup: "camunda-test-engine",
      revision: {
        bucket: "camunda-test-artifacts",
        key: "bundles/abc.zip",
        etag: '"9b2cf535f27731c974343645a3985328"',
        versionId: "3HL4kqtJlcpXroDTDmJ",
      },
      description,
      fileExistsBehavior: "OVERWRITE",
      ignoreApplicationStopFailures: false,
      timeoutMs: 30_000,
      intervalMs: 10_000,
      stopOnTimeout: false,
      clock: virtualClock(),
      log: (line) => lines.push(line),
      onCreated: (id) => {
        created = id;
      },
    });
    assert.ok(created, "onCreated received the deployment id");
    assert.equal(outcome.deploymentId, created);
    assert.equal(outcome.status, "Created", "moto never advances a deployment");
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.stopRequested, false);
    assert.ok(
      lines.includes(`deployment ${created}: Created (0 pending, 0 in progress, 0 succeeded, 0 failed)`),
    );

    const stored = (await codedeploy.send(new GetDeploymentCommand({ deploymentId: created })))
      .deploymentInfo;
    assert.deepEqual(stored?.revision, {
      revisionType: "S3",
      s3Location: {
        bucket: "camunda-test-artifacts",
        key: "bundles/abc.zip",
        bundleType: "zip",
        eTag: "9b2cf535f27731c974343645a3985328",
        version: "3HL4kqtJlcpXroDTDmJ",
      },
    });
    assert.equal(stored?.description, description);
    assert.deepEqual(stored?.autoRollbackConfiguration, { enabled: true, events: ["DEPLOYMENT_FAILURE"] });
    assert.equal(stored?.fileExistsBehavior, "OVERWRITE");
    assert.equal(stored?.ignoreApplicationStopFailures, false);
    assert.equal(stored?.applicationName, "camunda-test");
    assert.equal(stored?.deploymentGroupName, "camunda-test-engine");
  });

  test("the pre-flight sees the deployment still active and refuses a second one", async () => {
    await assert.rejects(
      runDeployment({
        client: codedeploy,
        region: "eu-west-2",
        application: "camunda-test",
        deploymentGroup: "camunda-test-engine",
        revision: { bucket: "camunda-test-artifacts", key: "bundles/def.zip" },
        description: "second",
        whenActive: "fail",
        timeoutMs: 10_000,
        clock: virtualClock(),
      }),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(
          error.message,
          /camunda-test\/camunda-test-engine already has an active deployment \([0-9a-f-]{36}\)/,
        );
        return true;
      },
    );
  });

  test("a deployment group that does not exist is reported before anything is created", async () => {
    await assert.rejects(
      runDeployment({
        client: codedeploy,
        region: "eu-west-2",
        application: "camunda-test",
        deploymentGroup: "no-such-group",
        revision: { bucket: "b", key: "k.zip" },
        description: "x",
        timeoutMs: 10_000,
        clock: virtualClock(),
      }),
      /CodeDeploy has no deployment group "no-such-group" in application "camunda-test"/,
    );
  });
});
