/**
 * The run() of the package-bundle, codedeploy-deploy, release-processes and review-processes actions
 * in this process, with a recording runner: the parts that need neither AWS nor an engine (those are
 * exercised through the committed bundles in test/aws/delivery and test/integration/release).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { z } from "zod";
import { UserError } from "#core/util/errors.js";
import { run as deployAction } from "../../../actions/codedeploy-deploy/run.js";
import { run as packageAction } from "../../../actions/package-bundle/run.js";
import { run as releaseAction } from "../../../actions/release-processes/run.js";
import { run as reviewAction } from "../../../actions/review-processes/run.js";
import { runAction } from "../../../actions/shared/run-action.js";
import { repoRoot } from "../../support/repo.js";
import { RecordingRunner } from "../../support/runner.js";

const temp = mkdtempSync(path.join(tmpdir(), "action-run-"));
after(() => rmSync(temp, { recursive: true, force: true }));

const runner = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  new RecordingRunner(inputs, { GITHUB_WORKSPACE: repoRoot, RUNNER_TEMP: temp, ...env });

describe("package-bundle action: run()", () => {
  it("builds the bundle without an environment: outputs its file, sha256 and size, and a summary", async () => {
    const out = path.join(temp, "bundle.zip");
    const r = runner({ out, "part-size-mib": "8" });
    await packageAction(r);
    assert.equal(r.failure, undefined, r.failure);
    assert.equal(r.outputs.file, out);
    assert.equal(r.outputs.sha256, createHash("sha256").update(readFileSync(out)).digest("hex"));
    assert.equal(r.outputs.size, String(readFileSync(out).length));
    assert.equal(r.outputs.bucket, undefined, "nothing uploaded without an environment");
    assert.match(r.summaryText, /<h3>Runtime bundle<\/h3>/);
    assert.ok(
      r.log.some((line) => /^built .*bundle\.zip: \d+ files/.test(line)),
      r.log.join("\n"),
    );
  });

  it("refuses an environment without AWS settings before building anything", async () => {
    const r = runner({ environment: "local", out: path.join(temp, "never.zip") });
    await packageAction(r);
    assert.match(
      r.failure ?? "",
      /^environments\/local\.yaml has no aws section, so there is nowhere to deliver to/,
    );
    assert.deepEqual(r.outputs, {});
  });
});

describe("codedeploy-deploy action: run()", () => {
  it("refuses a deployment without its bundle, in one sentence", async () => {
    const r = runner({ environment: "dev" });
    await deployAction(r);
    assert.equal(
      r.failure,
      "inputs bucket and key are required: the bundle to deploy (package-bundle's outputs).",
    );
  });

  it("as the post step, leaves alone a run whose wait ended (or that never created a deployment)", async () => {
    const finished = runner({});
    Object.assign(finished.states, { phase: "post", deploymentId: "d-123", finished: "true" });
    await deployAction(finished);
    const none = runner({});
    Object.assign(none.states, { phase: "post" });
    await deployAction(none);
    for (const r of [finished, none]) {
      assert.equal(r.failure, undefined);
      assert.deepEqual(r.annotations, []);
    }
  });
});

describe("release-processes action: run()", () => {
  it("masks the password first, then refuses an unknown environment naming the known ones", async () => {
    const r = runner(
      { environment: "nosuch" },
      { CAMUNDA_USERNAME: "ops", CAMUNDA_PASSWORD: "s3cret-value" },
    );
    await releaseAction(r);
    assert.deepEqual(r.secrets, ["s3cret-value"]);
    assert.match(
      r.failure ?? "",
      /^unknown environment "nosuch": there is no .*nosuch\.yaml; choose one of dev, local, prod, staging\./,
    );
  });

  it("refuses an expected plan digest that is not one", async () => {
    const r = runner({ environment: "dev", "expected-plan-digest": "latest" });
    await releaseAction(r);
    assert.equal(
      r.failure,
      'input expected-plan-digest must be a plan digest (16 hex digits, the plan-digest output), got "latest".',
    );
  });
});

describe("review-processes action: run()", () => {
  it("refuses an input that is not yes or no before comparing anything", async () => {
    const r = runner({ pictures: "sometimes" });
    await reviewAction(r);
    assert.equal(r.failure, 'input pictures must be true or false, got "sometimes".');
    assert.deepEqual(r.outputs, {});
  });

  it("without a pull request: compares the given base with the checkout, summary and outputs, no comment", async () => {
    const reportDir = path.join(temp, "review");
    const r = runner({ base: "HEAD", paths: "processes", "report-dir": reportDir, pictures: "false" });
    await reviewAction(r);
    assert.equal(r.failure, undefined, r.failure);
    assert.equal(r.outputs["report-dir"], reportDir);
    assert.equal(r.outputs["comment-url"], "");
    assert.match(String(r.outputs["changed-files"]), /^\d+$/);
    assert.match(r.summaryText, /Process changes/);
  });
});

describe("release-processes action: what it may deploy", () => {
  const credentials = { CAMUNDA_USERNAME: "ops", CAMUNDA_PASSWORD: "s3cret-value" };

  it("refuses to deploy with an empty expected-plan-digest (the approved plan is required)", async () => {
    const r = runner({ environment: "dev", "expected-plan-digest": "" }, credentials);
    await releaseAction(r);
    assert.equal(
      r.failure,
      "the release to dev has no expected plan digest: it deploys only the plan its reviewers approved; pass the plan's digest (the plan job's plan-digest output, or `plan --format json`).",
    );
    assert.deepEqual(r.outputs, {});
  });

  it("refuses allow-unmerged for prod, whose file does not allow unmerged refs", async () => {
    const r = runner({ environment: "prod", ref: "some-branch", "allow-unmerged": "true" }, credentials);
    await releaseAction(r);
    assert.equal(
      r.failure,
      '--allow-unmerged is not allowed for "prod": its file does not set camunda.allowUnmergedRefs: true (meant for dev, never prod); release a commit of the main branch.',
    );
  });

  it("refuses allow-unmerged without a ref", async () => {
    const r = runner({ environment: "dev", "allow-unmerged": "true" }, credentials);
    await releaseAction(r);
    assert.match(
      r.failure ?? "",
      /^input allow-unmerged only applies to a release from a ref and needs input ref/,
    );
  });
});

describe("runAction: every action fails the same way", () => {
  const failing = (error: unknown) => ({
    what: "The widget",
    options: z.object({}),
    inputs: [],
    run: async () => {
      throw error;
    },
    annotations: () => [{ message: "here", properties: { file: "processes/a.bpmn", startLine: 3 } }],
  });

  it("a UserError: its sentence and detail lines fail the step, with the action's annotations", async () => {
    const r = runner({});
    await runAction(
      failing(new UserError("the widget is broken; fix it.", { details: ["a.bpmn:3: here"] })),
      r,
    );
    assert.equal(r.failure, "the widget is broken; fix it.\n  a.bpmn:3: here");
    assert.deepEqual(r.errors(), [
      { level: "error", message: "here", properties: { file: "processes/a.bpmn", startLine: 3 } },
    ]);
  });

  it("anything else: an unexpected failure in one line, the stack only in the debug log", async () => {
    const r = runner({});
    await runAction(failing(new TypeError("x is undefined")), r);
    assert.equal(r.failure, "The widget failed unexpectedly: x is undefined");
    assert.ok(r.log.some((line) => line.startsWith("debug: TypeError: x is undefined\n    at ")));
  });
});
