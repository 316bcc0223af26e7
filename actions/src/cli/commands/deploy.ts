import { execFileSync } from "node:child_process";
import { createCodeDeployClient } from "#core/aws/clients.js";
import { lastPackageFile, loadLastPackage } from "#core/bundle/last-package.js";
import { awsConfigOf } from "#core/bundle/publish.js";
import { type Command, intOption, parseCommandArgs } from "#core/cli/command.js";
import { describeOutcome, runDeployment } from "#core/codedeploy/deploy.js";
import { deploymentDescription, type RevisionLocation } from "#core/codedeploy/request.js";
import { UsageError } from "#core/util/errors.js";
import { step } from "#core/util/progress.js";

const fileExistsBehaviors = ["DISALLOW", "OVERWRITE", "RETAIN"] as const;

const help = `Usage: camunda-gitops deploy --env ENV [options]

Starts an AWS CodeDeploy deployment of a bundle in ENV's deployment group (environments/ENV.yaml,
aws.codeDeploy) and waits for it, printing progress. On failure it prints, for each failed instance,
the lifecycle hook, script, error and log tail, and follows the automatic rollback. Ctrl-C stops the
deployment (with rollback).

  --env ENV                      the environment (required)
  --bucket B --key K             the bundle in S3 (default: the last \`camunda-gitops package --env ENV\`)
  --etag E --version-id V        pin the exact object (recommended with --bucket/--key)
  --timeout-minutes N            how long to wait for the deployment (default 30)
  --rollback-timeout-minutes N   how long to follow an automatic rollback (default 15)
  --interval-seconds N           polling interval (default 15)
  --if-active wait|fail          when another deployment is active in the group (default wait, up to 15 min)
  --file-exists-behavior B       DISALLOW, OVERWRITE (default) or RETAIN
  --ignore-application-stop-failures
                                 continue when the previous revision's ApplicationStop fails
  --keep-running-on-timeout      do not stop the deployment when the timeout passes

Exit codes: 0 the deployment succeeded, 1 it failed (or timed out), 2 usage or configuration error.`;

export const command: Command = {
  help,
  async run(argv, { root }) {
    const { values } = parseCommandArgs("deploy", argv, {
      env: { type: "string" },
      bucket: { type: "string" },
      key: { type: "string" },
      etag: { type: "string" },
      "version-id": { type: "string" },
      "timeout-minutes": { type: "string" },
      "rollback-timeout-minutes": { type: "string" },
      "interval-seconds": { type: "string" },
      "if-active": { type: "string" },
      "file-exists-behavior": { type: "string" },
      "ignore-application-stop-failures": { type: "boolean", default: false },
      "keep-running-on-timeout": { type: "boolean", default: false },
    });
    if (!values.env) throw new UsageError("deploy: --env is required; see `camunda-gitops deploy --help`.");
    const aws = awsConfigOf(values.env, root);
    const timeoutMinutes = intOption("deploy", "timeout-minutes", values["timeout-minutes"], 30);
    const rollbackMinutes = intOption(
      "deploy",
      "rollback-timeout-minutes",
      values["rollback-timeout-minutes"],
      15,
    );
    const intervalSeconds = intOption("deploy", "interval-seconds", values["interval-seconds"], 15);
    const whenActive = values["if-active"] ?? "wait";
    if (whenActive !== "wait" && whenActive !== "fail") {
      throw new UsageError(`deploy: --if-active must be wait or fail, got "${whenActive}".`);
    }
    const behavior = (values["file-exists-behavior"] ?? "OVERWRITE").toUpperCase();
    if (!(fileExistsBehaviors as readonly string[]).includes(behavior)) {
      throw new UsageError(
        `deploy: --file-exists-behavior must be one of ${fileExistsBehaviors.join(", ")}, got "${behavior}".`,
      );
    }
    const revision = revisionFrom(values, values.env, lastPackageFile(root));

    const client = createCodeDeployClient({ region: aws.region });
    const controller = new AbortController();
    const onInterrupt = () => {
      console.error("\ninterrupted: stopping the deployment (with rollback) …");
      controller.abort();
    };
    process.once("SIGINT", onInterrupt);
    try {
      const outcome = await step(`Deploying s3://${revision.bucket}/${revision.key} to ${values.env}`, (s) =>
        runDeployment({
          client,
          region: aws.region,
          application: aws.codeDeploy.application,
          deploymentGroup: aws.codeDeploy.deploymentGroup,
          revision,
          description: deploymentDescription(localOrigin(root)),
          fileExistsBehavior: behavior as (typeof fileExistsBehaviors)[number],
          ignoreApplicationStopFailures: values["ignore-application-stop-failures"],
          whenActive,
          timeoutMs: Math.max(timeoutMinutes, 1) * 60_000,
          rollbackTimeoutMs: Math.max(rollbackMinutes, 1) * 60_000,
          intervalMs: Math.max(intervalSeconds, 1) * 1000,
          stopOnTimeout: !values["keep-running-on-timeout"],
          log: s.update,
          signal: controller.signal,
        }),
      );
      for (const line of describeOutcome(outcome)) console.log(line);
      return outcome.succeeded ? 0 : 1;
    } finally {
      process.off("SIGINT", onInterrupt);
      client.destroy();
    }
  },
};

function revisionFrom(
  values: { bucket?: string; key?: string; etag?: string; "version-id"?: string },
  environment: string,
  lastPackage: string,
): RevisionLocation {
  if (values.bucket || values.key) {
    if (!values.bucket || !values.key)
      throw new UsageError("deploy: --bucket and --key go together; give both or neither.");
    if (!values.key.endsWith(".zip"))
      throw new UsageError(`deploy: --key ${values.key} is not a .zip bundle.`);
    return { bucket: values.bucket, key: values.key, etag: values.etag, versionId: values["version-id"] };
  }
  const last = loadLastPackage(environment, lastPackage);
  return { bucket: last.bucket, key: last.key, etag: last.etag, versionId: last.versionId };
}

/** repo@sha for the description: GitHub's variables in CI, git locally. */
function localOrigin(root: string) {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      return undefined;
    }
  };
  const remote = git(["remote", "get-url", "origin"]);
  const repository =
    process.env.GITHUB_REPOSITORY ??
    remote?.replace(/\.git$/, "").match(/[:/]([^/:]+\/[^/]+)$/)?.[1] ??
    "local";
  const sha = process.env.GITHUB_SHA ?? git(["rev-parse", "HEAD"]);
  return {
    repository,
    sha,
    note: process.env.GITHUB_ACTIONS ? undefined : `from ${process.env.USER ?? "a workstation"}`,
  };
}
