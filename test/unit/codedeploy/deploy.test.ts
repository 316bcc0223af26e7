import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import {
  BatchGetDeploymentTargetsCommand,
  CreateDeploymentCommand,
  type DeploymentInfo,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
} from "@aws-sdk/client-codedeploy";
import { mockClient } from "aws-sdk-client-mock";
import { type DeployOptions, runDeployment, stopIfActive } from "#core/codedeploy/deploy.js";
import { pollDeployment } from "#core/codedeploy/poll.js";
import { UserError } from "#core/util/errors.js";
import { awsError, client, group, virtualClock } from "./support.js";

const cd = client();
const mock = mockClient(cd);
let lines: string[] = [];

function options(overrides: Partial<DeployOptions> = {}): DeployOptions {
  return {
    client: cd,
    region: "eu-west-2",
    application: "camunda-dev",
    deploymentGroup: "camunda-dev-engine",
    revision: { bucket: "artifacts", key: "bundles/abc.zip", etag: '"0123abcd-2"', versionId: "v-1" },
    description: "camunda-gitops acme/platform@0123456789ab",
    timeoutMs: 10 * 60_000,
    intervalMs: 10_000,
    clock: virtualClock(),
    log: (line) => lines.push(line),
    ...overrides,
  };
}

const info = (status: string, extra: Partial<DeploymentInfo> = {}) => ({
  deploymentInfo: {
    deploymentId: "d-MAIN",
    status,
    deploymentOverview: { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 },
    autoRollbackConfiguration: { enabled: true, events: ["DEPLOYMENT_FAILURE" as const] },
    ...extra,
  } as DeploymentInfo,
});

beforeEach(() => {
  mock.reset();
  lines = [];
  mock.on(GetDeploymentGroupCommand).resolves(group);
  mock.on(ListDeploymentsCommand).resolves({ deployments: [] });
  mock.on(CreateDeploymentCommand).resolves({ deploymentId: "d-MAIN" });
});

describe("CodeDeploy driver (mocked CodeDeploy)", () => {
  test("polls at a fixed interval and prints progress only when it changes (mocked CodeDeploy)", async () => {
    mock
      .on(GetDeploymentCommand)
      .resolvesOnce(info("Created"))
      .resolvesOnce(info("InProgress", { deploymentOverview: { Pending: 1, InProgress: 1 } }))
      .resolvesOnce(info("InProgress", { deploymentOverview: { Pending: 1, InProgress: 1 } }))
      .resolvesOnce(info("InProgress", { deploymentOverview: { InProgress: 1, Succeeded: 1 } }))
      .resolves(info("Succeeded", { deploymentOverview: { Succeeded: 2 } }));
    const clock = virtualClock();
    let created = "";
    const outcome = await runDeployment(
      options({
        clock,
        onCreated: (id) => {
          created = id;
        },
      }),
    );
    assert.equal(created, "d-MAIN");
    assert.equal(outcome.succeeded, true);
    assert.equal(outcome.status, "Succeeded");
    assert.equal(outcome.rollback, undefined);
    assert.equal(
      outcome.consoleUrl,
      "https://eu-west-2.console.aws.amazon.com/codesuite/codedeploy/deployments/d-MAIN?region=eu-west-2",
    );
    assert.deepEqual(clock.slept, [10_000, 10_000, 10_000, 10_000]);
    assert.deepEqual(
      lines.filter((l) => l.startsWith("deployment d-MAIN:")),
      [
        "deployment d-MAIN: Created (0 pending, 0 in progress, 0 succeeded, 0 failed)",
        "deployment d-MAIN: InProgress (1 pending, 1 in progress, 0 succeeded, 0 failed)",
        "deployment d-MAIN: InProgress (0 pending, 1 in progress, 1 succeeded, 0 failed)",
        "deployment d-MAIN: Succeeded (0 pending, 0 in progress, 2 succeeded, 0 failed)",
      ],
    );
  });

  test("sends the S3 revision, description, auto-rollback and file behaviour in CreateDeployment (mocked CodeDeploy)", async () => {
    mock.on(GetDeploymentGroupCommand).resolves({
      deploymentGroupInfo: { ...group.deploymentGroupInfo, alarmConfiguration: { enabled: true } },
    });
    mock.on(GetDeploymentCommand).resolves(info("Succeeded"));
    await runDeployment(options({ fileExistsBehavior: "RETAIN", ignoreApplicationStopFailures: true }));
    const calls = mock.commandCalls(CreateDeploymentCommand);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]!.args[0].input, {
      applicationName: "camunda-dev",
      deploymentGroupName: "camunda-dev-engine",
      revision: {
        revisionType: "S3",
        s3Location: {
          bucket: "artifacts",
          key: "bundles/abc.zip",
          bundleType: "zip",
          eTag: "0123abcd-2",
          version: "v-1",
        },
      },
      description: "camunda-gitops acme/platform@0123456789ab",
      autoRollbackConfiguration: {
        enabled: true,
        events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
      },
      fileExistsBehavior: "RETAIN",
      ignoreApplicationStopFailures: true,
    });
  });

  test("fails at once on access denied, expired credentials and validation errors (mocked CodeDeploy)", async () => {
    for (const name of ["AccessDeniedException", "ExpiredTokenException", "ValidationException"]) {
      mock.reset();
      mock.on(GetDeploymentGroupCommand).resolves(group);
      mock.on(ListDeploymentsCommand).resolves({ deployments: [] });
      mock.on(CreateDeploymentCommand).resolves({ deploymentId: "d-MAIN" });
      mock.on(GetDeploymentCommand).rejects(awsError(name));
      const clock = virtualClock();
      await assert.rejects(runDeployment(options({ clock })), (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, new RegExp(`GetDeployment for d-MAIN failed: ${name}`));
        return true;
      });
      assert.equal(mock.commandCalls(GetDeploymentCommand).length, 1, `${name}: no retry`);
      assert.deepEqual(clock.slept, [], `${name}: no waiting`);
    }
    mock.on(CreateDeploymentCommand).rejects(awsError("InvalidRevisionException"));
    await assert.rejects(
      runDeployment(options()),
      /CreateDeployment in camunda-dev\/camunda-dev-engine failed: InvalidRevisionException/,
    );
  });

  test("keeps polling through throttling and server errors (mocked CodeDeploy)", async () => {
    mock
      .on(GetDeploymentCommand)
      .rejectsOnce(awsError("ThrottlingException"))
      .rejectsOnce(awsError("InternalFailure", 500))
      .resolves(info("Succeeded"));
    const outcome = await runDeployment(options());
    assert.equal(outcome.succeeded, true);
    assert.equal(mock.commandCalls(GetDeploymentCommand).length, 3);
    assert.ok(lines.some((l) => /GetDeployment failed \(ThrottlingException/.test(l)));
  });

  test("times out at the deadline and stops the deployment with rollback (mocked CodeDeploy)", async () => {
    mock
      .on(GetDeploymentCommand)
      .callsFake(() =>
        mock.commandCalls(StopDeploymentCommand).length === 0
          ? info("InProgress")
          : info("Stopped", { rollbackInfo: { rollbackDeploymentId: "d-RB" } }),
      );
    mock
      .on(GetDeploymentCommand, { deploymentId: "d-RB" })
      .resolves({ deploymentInfo: { deploymentId: "d-RB", status: "Succeeded" } });
    mock.on(StopDeploymentCommand).resolves({ status: "Pending" });
    mock.on(ListDeploymentTargetsCommand).resolves({ targetIds: [] });
    const clock = virtualClock();
    const outcome = await runDeployment(options({ clock, timeoutMs: 60_000, intervalMs: 25_000 }));
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.succeeded, false);
    assert.equal(outcome.stopRequested, true);
    assert.equal(outcome.status, "Stopped");
    assert.equal(outcome.rollback?.status, "Succeeded", "the rollback the stop started is followed");
    assert.deepEqual(clock.slept, [25_000, 25_000, 10_000], "the last sleep is cut to the deadline");
    assert.deepEqual(mock.commandCalls(StopDeploymentCommand)[0]!.args[0].input, {
      deploymentId: "d-MAIN",
      autoRollbackEnabled: true,
    });
  });

  test("reports each failed target's lifecycle event, script, error, log tail and host log (mocked CodeDeploy)", async () => {
    mock.on(GetDeploymentCommand).resolves(
      info("Failed", {
        autoRollbackConfiguration: { enabled: false },
        errorInformation: {
          code: "HEALTH_CONSTRAINTS",
          message: "The overall deployment failed because too many individual instances failed deployment",
        },
      }),
    );
    mock
      .on(ListDeploymentTargetsCommand)
      .resolvesOnce({ targetIds: ["i-0aaa"], nextToken: "page-2" })
      .resolves({ targetIds: ["i-0bbb"] });
    mock.on(BatchGetDeploymentTargetsCommand).resolves({
      deploymentTargets: [
        {
          deploymentTargetType: "InstanceTarget",
          instanceTarget: {
            targetId: "i-0aaa",
            status: "Failed",
            lifecycleEvents: [
              { lifecycleEventName: "BeforeInstall", status: "Succeeded" },
              {
                lifecycleEventName: "AfterInstall",
                status: "Failed",
                diagnostics: {
                  errorCode: "ScriptFailed",
                  scriptName: "scripts/install.sh",
                  message:
                    "Script at specified location: scripts/install.sh run as user root failed with exit code 1",
                  logTail: "[stderr] install.sh: ERROR: missing runtime settings: DB_HOST",
                },
              },
              { lifecycleEventName: "ApplicationStart", status: "Skipped" },
            ],
          },
        },
        {
          deploymentTargetType: "InstanceTarget",
          instanceTarget: { targetId: "i-0bbb", status: "Failed", lifecycleEvents: [] },
        },
      ],
    });
    const outcome = await runDeployment(options());
    assert.equal(outcome.status, "Failed");
    assert.equal(outcome.errorCode, "HEALTH_CONSTRAINTS");
    const listCalls = mock.commandCalls(ListDeploymentTargetsCommand).map((c) => c.args[0].input);
    assert.deepEqual(listCalls, [
      { deploymentId: "d-MAIN", nextToken: undefined, targetFilters: { TargetStatus: ["Failed"] } },
      { deploymentId: "d-MAIN", nextToken: "page-2", targetFilters: { TargetStatus: ["Failed"] } },
    ]);
    assert.deepEqual(mock.commandCalls(BatchGetDeploymentTargetsCommand)[0]!.args[0].input.targetIds, [
      "i-0aaa",
      "i-0bbb",
    ]);
    const hostLog =
      "/opt/codedeploy-agent/deployment-root/7c1f0d2e-1111-2222-3333-444455556666/d-MAIN/logs/scripts.log";
    assert.deepEqual(outcome.failures, [
      {
        targetId: "i-0aaa",
        status: "Failed",
        lifecycleEvent: "AfterInstall",
        scriptName: "scripts/install.sh",
        errorCode: "ScriptFailed",
        message: "Script at specified location: scripts/install.sh run as user root failed with exit code 1",
        logTail: "[stderr] install.sh: ERROR: missing runtime settings: DB_HOST",
        hostLog,
      },
      { targetId: "i-0bbb", status: "Failed", hostLog },
    ]);
    assert.ok(
      lines.some((l) =>
        l.startsWith("failed: i-0aaa: AfterInstall scripts/install.sh ScriptFailed: Script at"),
      ),
    );
  });

  test("still reports the failure when the targets cannot be listed (mocked CodeDeploy)", async () => {
    mock.on(GetDeploymentCommand).resolves(info("Failed", { autoRollbackConfiguration: { enabled: false } }));
    mock.on(ListDeploymentTargetsCommand).rejects(awsError("AccessDeniedException"));
    const outcome = await runDeployment(options());
    assert.equal(outcome.status, "Failed");
    assert.deepEqual(outcome.failures, []);
    assert.match(outcome.diagnosticsUnavailable ?? "", /AccessDeniedException/);
  });

  test("follows the automatic rollback and reports both outcomes (mocked CodeDeploy)", async () => {
    const failedTarget = {
      deploymentTargets: [
        {
          instanceTarget: {
            targetId: "i-0aaa",
            status: "Failed" as const,
            lifecycleEvents: [
              {
                lifecycleEventName: "ValidateService",
                status: "Failed" as const,
                diagnostics: {
                  errorCode: "ScriptFailed" as const,
                  scriptName: "scripts/validate.sh",
                  message: "exit code 1",
                  logTail: "workers answered HTTP 503",
                },
              },
            ],
          },
        },
      ],
    };
    mock
      .on(GetDeploymentCommand, { deploymentId: "d-MAIN" })
      .resolvesOnce(info("InProgress"))
      .resolvesOnce(info("Failed"))
      // The rollback id appears a moment after the failure.
      .resolves(info("Failed", { rollbackInfo: { rollbackDeploymentId: "d-ROLLBACK" } }));
    mock
      .on(GetDeploymentCommand, { deploymentId: "d-ROLLBACK" })
      .resolvesOnce({ deploymentInfo: { deploymentId: "d-ROLLBACK", status: "InProgress" } })
      .resolves({
        deploymentInfo: {
          deploymentId: "d-ROLLBACK",
          status: "Succeeded",
          deploymentOverview: { Succeeded: 1 },
        },
      });
    mock.on(ListDeploymentTargetsCommand).resolves({ targetIds: ["i-0aaa"] });
    mock.on(BatchGetDeploymentTargetsCommand).resolves(failedTarget);
    const outcome = await runDeployment(options());
    assert.equal(outcome.status, "Failed");
    assert.equal(outcome.failures[0]?.scriptName, "scripts/validate.sh");
    assert.equal(outcome.rollback?.deploymentId, "d-ROLLBACK");
    assert.equal(outcome.rollback?.status, "Succeeded");
    assert.equal(outcome.rollback?.timedOut, false);
    assert.ok(lines.some((l) => l.startsWith("automatic rollback d-ROLLBACK started for d-MAIN")));
    assert.ok(
      lines.includes("deployment d-ROLLBACK: Succeeded (0 pending, 0 in progress, 1 succeeded, 0 failed)"),
    );
  });

  test("reports a failed rollback with its own diagnostics (mocked CodeDeploy)", async () => {
    mock
      .on(GetDeploymentCommand, { deploymentId: "d-MAIN" })
      .resolves(info("Failed", { rollbackInfo: { rollbackDeploymentId: "d-RB" } }));
    mock
      .on(GetDeploymentCommand, { deploymentId: "d-RB" })
      .resolves({ deploymentInfo: { deploymentId: "d-RB", status: "Failed" } });
    mock.on(ListDeploymentTargetsCommand, { deploymentId: "d-RB" }).resolves({ targetIds: ["i-0ccc"] });
    mock.on(ListDeploymentTargetsCommand, { deploymentId: "d-MAIN" }).resolves({ targetIds: [] });
    mock.on(BatchGetDeploymentTargetsCommand).resolves({
      deploymentTargets: [
        {
          instanceTarget: {
            targetId: "i-0ccc",
            status: "Failed",
            lifecycleEvents: [
              {
                lifecycleEventName: "ApplicationStart",
                status: "Failed",
                diagnostics: { errorCode: "ScriptTimedOut", scriptName: "scripts/start.sh" },
              },
            ],
          },
        },
      ],
    });
    const outcome = await runDeployment(options());
    assert.equal(outcome.rollback?.status, "Failed");
    assert.deepEqual(
      outcome.rollback?.failures.map((f) => [f.targetId, f.lifecycleEvent, f.errorCode, f.hostLog]),
      [
        [
          "i-0ccc",
          "ApplicationStart",
          "ScriptTimedOut",
          "/opt/codedeploy-agent/deployment-root/7c1f0d2e-1111-2222-3333-444455556666/d-RB/logs/scripts.log",
        ],
      ],
    );
  });

  test("no rollback is waited for when auto-rollback is off (mocked CodeDeploy)", async () => {
    mock.on(GetDeploymentCommand).resolves(info("Failed", { autoRollbackConfiguration: { enabled: false } }));
    mock.on(ListDeploymentTargetsCommand).resolves({ targetIds: [] });
    const clock = virtualClock();
    const outcome = await runDeployment(options({ clock }));
    assert.equal(outcome.rollback, undefined);
    assert.deepEqual(clock.slept, []);
  });
});

describe("pre-flight (mocked CodeDeploy)", () => {
  test("a missing deployment group is one sentence with what to do (mocked CodeDeploy)", async () => {
    mock.on(GetDeploymentGroupCommand).rejects(awsError("DeploymentGroupDoesNotExistException"));
    await assert.rejects(runDeployment(options()), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(
        error.message,
        'CodeDeploy has no deployment group "camunda-dev-engine" in application "camunda-dev"; deploy the delivery stack first or fix aws.codeDeploy in the environment file.',
      );
      return true;
    });
    assert.equal(mock.commandCalls(CreateDeploymentCommand).length, 0);
  });

  test("an active deployment fails at once when told to (mocked CodeDeploy)", async () => {
    mock.on(ListDeploymentsCommand).resolves({ deployments: ["d-OTHER"] });
    await assert.rejects(
      runDeployment(options({ whenActive: "fail" })),
      /already has an active deployment \(d-OTHER\)/,
    );
    assert.deepEqual(mock.commandCalls(ListDeploymentsCommand)[0]!.args[0].input.includeOnlyStatuses, [
      "Created",
      "Queued",
      "InProgress",
      "Ready",
    ]);
    assert.equal(mock.commandCalls(CreateDeploymentCommand).length, 0);
  });

  test("an active deployment is waited for, then the new one starts (mocked CodeDeploy)", async () => {
    mock
      .on(ListDeploymentsCommand)
      .resolvesOnce({ deployments: ["d-OTHER"] })
      .resolvesOnce({ deployments: ["d-OTHER"] })
      .resolves({ deployments: [] });
    mock.on(GetDeploymentCommand).resolves(info("Succeeded"));
    const outcome = await runDeployment(options({ whenActive: "wait" }));
    assert.equal(outcome.succeeded, true);
    assert.equal(mock.commandCalls(ListDeploymentsCommand).length, 3);
    assert.equal(lines.filter((l) => l.startsWith("waiting for the active deployment(s) d-OTHER")).length, 1);
  });

  test("waiting for an active deployment is bounded (mocked CodeDeploy)", async () => {
    mock.on(ListDeploymentsCommand).resolves({ deployments: ["d-STUCK"] });
    const clock = virtualClock();
    await assert.rejects(
      runDeployment(options({ whenActive: "wait", activeWaitMs: 60_000, clock })),
      /was still busy with d-STUCK after 60 s/,
    );
    assert.equal(clock.now(), 60_000);
    assert.equal(mock.commandCalls(CreateDeploymentCommand).length, 0);
  });
});

describe("cancellation (mocked CodeDeploy)", () => {
  test("aborting while waiting stops the deployment with rollback (mocked CodeDeploy)", async () => {
    const controller = new AbortController();
    let polls = 0;
    mock.on(GetDeploymentCommand).callsFake(() => {
      polls++;
      if (polls === 2) controller.abort();
      return info(polls > 2 ? "Stopped" : "InProgress");
    });
    mock.on(StopDeploymentCommand).resolves({ status: "Pending" });
    const outcome = await runDeployment(options({ signal: controller.signal }));
    assert.equal(outcome.stopRequested, true);
    assert.equal(outcome.status, "Stopped");
    assert.deepEqual(mock.commandCalls(StopDeploymentCommand)[0]!.args[0].input, {
      deploymentId: "d-MAIN",
      autoRollbackEnabled: true,
    });
    assert.ok(lines.includes("cancelled: stopping deployment d-MAIN with rollback"));
  });

  test("the cancellation handler stops an active deployment and leaves a finished one alone (mocked CodeDeploy)", async () => {
    mock.on(GetDeploymentCommand).resolves(info("InProgress"));
    mock.on(StopDeploymentCommand).resolves({ status: "Pending", statusMessage: "stopping" });
    assert.deepEqual(await stopIfActive(cd, "d-MAIN", (l) => lines.push(l)), {
      status: "InProgress",
      stopped: true,
    });
    assert.equal(mock.commandCalls(StopDeploymentCommand).length, 1);
    mock.reset();
    mock.on(GetDeploymentCommand).resolves(info("Succeeded"));
    assert.deepEqual(await stopIfActive(cd, "d-MAIN", (l) => lines.push(l)), {
      status: "Succeeded",
      stopped: false,
    });
    assert.equal(mock.commandCalls(StopDeploymentCommand).length, 0);
  });

  test("the poller alone returns aborted without stopping anything (mocked CodeDeploy)", async () => {
    const controller = new AbortController();
    controller.abort();
    mock.on(GetDeploymentCommand).resolves(info("InProgress"));
    const result = await pollDeployment({
      client: cd,
      deploymentId: "d-MAIN",
      intervalMs: 1000,
      deadline: 10_000,
      clock: virtualClock(),
      log: () => {},
      signal: controller.signal,
    });
    assert.equal(result.aborted, true);
    assert.equal(mock.commandCalls(StopDeploymentCommand).length, 0);
  });
});
