import { execFileSync } from "node:child_process";
import { createCodeDeployClient } from "#core/aws/clients.js";
import { lastPackageFile, loadLastPackage } from "#core/bundle/last-package.js";
import { awsConfigOf } from "#core/bundle/publish.js";
import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { deploymentSettings, describeOutcome, runDeployment } from "#core/codedeploy/deploy.js";
import { deploymentDescription, type RevisionLocation } from "#core/codedeploy/request.js";
import { deployOptions } from "#core/options/deploy.js";
import { cliNames, parseOptions } from "#core/options/rules.js";
import { step } from "#core/util/progress.js";

const help = `Usage: camunda-gitops deploy --env ENV [options]

Starts an AWS CodeDeploy deployment of a bundle in ENV's deployment group (environments/ENV.yaml,
aws.codeDeploy) and waits for it, printing progress. On failure it prints, for each failed instance,
the lifecycle hook, script, error and log tail, and follows the automatic rollback. Ctrl-C stops the
deployment (with rollback).

  --env ENV                      the environment (required)
  --bucket B --key K             the bundle in S3 (default: the last \`camunda-gitops package --env ENV\`)
  --etag E --version-id V        pin the exact object (recommended with --bucket/--key)
  --timeout-minutes N            how long to wait for the deployment (default 30, at least 1)
  --rollback-timeout-minutes N   how long to follow an automatic rollback (default 15, at least 1)
  --poll-interval-seconds N      polling interval (default 15, at least 5; also --interval-seconds)
  --if-active wait|fail          when another deployment is active in the group (default wait)
  --active-wait-minutes N        how long to wait for it (default 15)
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
      "poll-interval-seconds": { type: "string" },
      // The option's first name; the action's input is poll-interval-seconds.
      "interval-seconds": { type: "string" },
      "if-active": { type: "string" },
      "active-wait-minutes": { type: "string" },
      "file-exists-behavior": { type: "string" },
      "ignore-application-stop-failures": { type: "boolean", default: false },
      "keep-running-on-timeout": { type: "boolean", default: false },
    });
    const options = parseOptions(
      deployOptions,
      {
        ...values,
        environment: values.env,
        "poll-interval-seconds": values["poll-interval-seconds"] ?? values["interval-seconds"],
        "stop-on-timeout": !values["keep-running-on-timeout"],
      },
      cliNames("deploy", { environment: "env" }),
    );
    const environment = options.environment;
    const aws = awsConfigOf(environment, root);
    const revision = options.revision ?? lastPackaged(environment, lastPackageFile(root));

    const client = createCodeDeployClient({ region: aws.region });
    const controller = new AbortController();
    const onInterrupt = () => {
      console.error("\ninterrupted: stopping the deployment (with rollback) …");
      controller.abort();
    };
    process.once("SIGINT", onInterrupt);
    try {
      const outcome = await step(`Deploying s3://${revision.bucket}/${revision.key} to ${environment}`, (s) =>
        runDeployment({
          client,
          ...deploymentSettings(aws, options),
          revision,
          description: deploymentDescription(localOrigin(root)),
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

/** The bundle the last `camunda-gitops package --env ENV` uploaded. */
function lastPackaged(environment: string, file: string): RevisionLocation {
  const last = loadLastPackage(environment, file);
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
