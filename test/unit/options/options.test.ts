/**
 * One place for option rules: the CLI verbs and the GitHub Actions parse their options with the
 * same core schemas, so they agree on every default and bound and refuse the same values with the
 * same rule (they used to disagree: the CLI raised a part size below 5 MiB silently where the action
 * refused it, and took 1 s polls the action refused below 5 s).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { main } from "#core/cli/main.js";
import { deployOptions } from "#core/options/deploy.js";
import { diffOptions } from "#core/options/diff.js";
import { driftCliOptions } from "#core/options/drift.js";
import { lintOptions } from "#core/options/lint.js";
import { packageOptions } from "#core/options/package.js";
import { releaseOptions } from "#core/options/release.js";
import { actionInputNames, cliNames, parseOptions } from "#core/options/rules.js";
import { UsageError } from "#core/util/errors.js";
import { run as deployAction } from "../../../actions/codedeploy-deploy/run.js";
import { run as packageAction } from "../../../actions/package-bundle/run.js";
import { run as releaseAction } from "../../../actions/release-processes/run.js";
import { repoRoot } from "../../support/repo.js";
import { RecordingRunner } from "../../support/runner.js";

/** Runs a CLI verb in this process and returns its exit code and stderr. */
async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => err.push(args.join(" "));
  try {
    return { code: await main(argv, { root: repoRoot }), err: err.join("\n") };
  } finally {
    console.error = error;
  }
}

async function action(
  run: (runner: RecordingRunner) => Promise<void>,
  inputs: Record<string, string>,
): Promise<RecordingRunner> {
  const runner = new RecordingRunner(inputs, { GITHUB_WORKSPACE: repoRoot });
  await run(runner);
  return runner;
}

describe("option rules shared by the CLI and the actions", () => {
  it("a part size below S3's 5 MiB minimum is refused by both, by the same rule", async () => {
    const rule = /part-size-mib must be a whole number from 5 to 5000, got "3"/;
    const verb = await cli("package", "--part-size-mib", "3");
    assert.equal(verb.code, 2);
    assert.match(verb.err, /^error: package: --part-size-mib /);
    assert.match(verb.err, rule);
    const step = await action(packageAction, { "part-size-mib": "3" });
    assert.match(step.failure ?? "", /^input part-size-mib /);
    assert.match(step.failure ?? "", rule);
    assert.deepEqual(step.outputs, {}, "nothing was built");
  });

  it("a poll interval below 5 s is refused by both; 5 s is the same minimum everywhere", async () => {
    const rule = /poll-interval-seconds must be a whole number from 5 to 600, got "1"/;
    const verb = await cli(
      "deploy",
      "--env",
      "dev",
      "--bucket",
      "b",
      "--key",
      "k.zip",
      "--poll-interval-seconds",
      "1",
    );
    assert.equal(verb.code, 2);
    assert.match(verb.err, rule);
    // The CLI's first spelling of the option is still read, by the same rule.
    const older = await cli(
      "deploy",
      "--env",
      "dev",
      "--bucket",
      "b",
      "--key",
      "k.zip",
      "--interval-seconds",
      "1",
    );
    assert.equal(older.code, 2);
    assert.match(older.err, rule);
    const step = await action(deployAction, {
      environment: "dev",
      bucket: "b",
      key: "k.zip",
      "poll-interval-seconds": "1",
    });
    assert.match(step.failure ?? "", /^input poll-interval-seconds /);
    assert.match(step.failure ?? "", rule);
    assert.equal(
      parseOptions(deployOptions, { environment: "dev", "poll-interval-seconds": "5" }, actionInputNames)
        .intervalMs,
      5_000,
    );
  });

  it("smoke without a deployment is refused by both", async () => {
    const verb = await cli("release", "--env", "local", "--smoke", "--dry-run");
    assert.equal(verb.code, 2);
    assert.match(verb.err, /release: --smoke needs a deployment and cannot be combined with --dry-run/);
    const step = await action(releaseAction, { environment: "local", smoke: "true", "dry-run": "true" });
    assert.equal(step.failure, "input smoke needs a deployment and cannot be combined with input dry-run.");
  });

  it("applies the documented defaults once", () => {
    const deploy = parseOptions(deployOptions, { environment: "dev" }, actionInputNames);
    assert.deepEqual(
      {
        timeoutMs: deploy.timeoutMs,
        rollbackTimeoutMs: deploy.rollbackTimeoutMs,
        intervalMs: deploy.intervalMs,
        whenActive: deploy.whenActive,
        activeWaitMs: deploy.activeWaitMs,
        fileExistsBehavior: deploy.fileExistsBehavior,
        stopOnTimeout: deploy.stopOnTimeout,
        revision: deploy.revision,
      },
      {
        timeoutMs: 30 * 60_000,
        rollbackTimeoutMs: 15 * 60_000,
        intervalMs: 15_000,
        whenActive: "wait",
        activeWaitMs: 15 * 60_000,
        fileExistsBehavior: "OVERWRITE",
        stopOnTimeout: true,
        revision: undefined,
      },
    );
    assert.equal(parseOptions(packageOptions, {}, actionInputNames).partSizeBytes, 8 * 1024 * 1024);
    const lint = parseOptions(lintOptions, {}, actionInputNames);
    assert.deepEqual(lint, { configFile: undefined, format: "text", failOn: "error", maxWarnings: -1 });
    assert.equal(parseOptions(lintOptions, { "fail-on": "warning" }, actionInputNames).maxWarnings, 0);
  });

  it("reads values as each adapter gives them: flags as booleans or words, blank inputs as unset", () => {
    const fromCli = parseOptions(
      releaseOptions,
      { environment: "dev", "dry-run": true, smoke: false },
      cliNames("release", { environment: "env" }),
    );
    const fromAction = parseOptions(
      releaseOptions,
      { environment: "dev", "dry-run": "true", smoke: "false", ref: "", "expected-plan-digest": "" },
      actionInputNames,
    );
    assert.deepEqual(fromCli, fromAction);
    assert.equal(
      parseOptions(deployOptions, { environment: "dev", "file-exists-behavior": "retain" }, actionInputNames)
        .fileExistsBehavior,
      "RETAIN",
    );
  });

  it("names the option as each adapter spells it, in one sentence", () => {
    const refused = (names: Parameters<typeof parseOptions>[2]) => {
      try {
        parseOptions(deployOptions, { "if-active": "queue" }, names);
      } catch (error) {
        assert.ok(error instanceof UsageError);
        assert.equal(error.exitCode, 2);
        return error.message;
      }
      assert.fail("expected a usage error");
    };
    assert.equal(
      refused(cliNames("deploy", { environment: "env" })),
      "deploy: --env is required; see `camunda-gitops deploy --help`.",
    );
    assert.equal(refused(actionInputNames), "input environment is required.");
  });

  it("drift and diff read their CLI options through the core schemas: a bad format or a missing --env is one usage sentence", async () => {
    const noEnv = await cli("drift");
    // drift exits 1 on usage errors: its 2 means drift.
    assert.equal(noEnv.code, 1);
    assert.match(noEnv.err, /drift: --env is required; see `camunda-gitops drift --help`\./);
    const driftFormat = await cli("drift", "--env", "local", "--format", "yaml");
    assert.equal(driftFormat.code, 1);
    assert.match(driftFormat.err, /drift: --format must be one of text, json, markdown, got "yaml"/);
    const diffFormat = await cli("diff", "--format", "pdf");
    assert.equal(diffFormat.code, 2);
    assert.match(diffFormat.err, /diff: --format must be one of text, markdown, json, html, got "pdf"/);
    assert.deepEqual(parseOptions(diffOptions, { "no-pictures": true }, cliNames("diff")), {
      base: undefined,
      head: undefined,
      format: "text",
      out: undefined,
      pictures: false,
      environment: undefined,
      verbose: false,
    });
    assert.equal(parseOptions(driftCliOptions, { environment: "dev" }, cliNames("drift")).format, "text");
  });
});
