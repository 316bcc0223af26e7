/**
 * The two infrastructure workflows: actions pinned by full commit SHA, OIDC token permission only
 * on the jobs that assume a role, the reusable workflow's contract (workflow_call with input
 * `environment`), change sets never executed on pull requests, and forks handled without AWS.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { repoPath } from "../../support/repo.js";

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  if?: string;
  run?: string;
  name?: string;
}
interface Job {
  if?: string;
  "runs-on"?: unknown;
  environment?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, { required?: boolean; type?: string }>; paths?: string[] }>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** A GitHub Actions expression as it appears in the YAML. */
const expr = (inner: string) => `\${{ ${inner} }}`;

function workflow(name: string): { text: string; parsed: Workflow } {
  const text = readFileSync(repoPath(".github", "workflows", name), "utf8");
  return { text, parsed: parse(text) as Workflow };
}

const deploy = workflow("deploy-stacks.yml");
const changeset = workflow("infrastructure-changeset.yml");

describe("infrastructure workflows", () => {
  test("every action is pinned by a full commit SHA", () => {
    for (const { text } of [deploy, changeset]) {
      for (const match of text.matchAll(/uses:\s*(\S+)/g)) {
        const ref = match[1] ?? "";
        if (ref.startsWith("./")) continue;
        assert.match(ref, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, ref);
      }
    }
  });

  test("no token permissions at workflow level; id-token only where a role is assumed", () => {
    for (const { parsed } of [deploy, changeset]) {
      assert.deepEqual(parsed.permissions, {});
      for (const [name, job] of Object.entries(parsed.jobs)) {
        const assumes = (job.steps ?? []).some((s) =>
          s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
        );
        assert.equal(job.permissions?.["id-token"] === "write", assumes, `job ${name}`);
      }
    }
  });

  test("deploy-stacks is reusable with an environment input and deploys the stacks in order", () => {
    const input = deploy.parsed.on.workflow_call?.inputs?.environment;
    assert.equal(input?.required, true);
    assert.equal(input?.type, "string");
    const job = deploy.parsed.jobs.deploy;
    assert.equal(job?.environment, expr("inputs.environment"));
    const stacks = (job?.steps ?? [])
      .filter((s) => s.uses?.startsWith("aws-actions/aws-cloudformation-github-deploy@"))
      .map((s) => String(s.with?.name).replace(/^\$\{\{ steps\.plan\.outputs\.(\w+)-stack \}\}$/, "$1"));
    assert.deepEqual(stacks, ["network", "data", "app", "alarms", "delivery"]);
    for (const step of job?.steps ?? []) {
      if (!step.uses?.startsWith("aws-actions/aws-cloudformation-github-deploy@")) continue;
      assert.equal(step.with?.["role-arn"], expr("steps.plan.outputs.execution-role"));
      // The execution role creates and changes only resources tagged for this environment.
      assert.equal(step.with?.tags, expr("steps.plan.outputs.stack-tags"));
      assert.match(String(step.with?.["change-set-name"]), /^\$\{\{ inputs\.environment \}\}-/);
      // The pinned action ignores termination-protection for change sets; a step sets it instead.
      assert.equal(step.with?.["termination-protection"], undefined);
    }
    const protect = job?.steps?.find((s) => s.if === "inputs.environment == 'prod'");
    assert.match(
      String((protect as { run?: string })?.run),
      /aws cloudformation update-termination-protection --enable-termination-protection/,
    );
  });

  test("pull requests only create change sets, with the plan role, and forks get a note instead", () => {
    const job = changeset.parsed.jobs.changeset;
    assert.equal(job?.environment, undefined, "the plan role trusts the pull_request subject");
    assert.match(String(job?.if), /head\.repo\.full_name == github\.repository/);
    assert.match(String(changeset.parsed.jobs.fork?.if), /head\.repo\.full_name != github\.repository/);
    assert.equal(
      changeset.parsed.jobs.fork?.steps?.some((s) => s.uses),
      false,
    );
    const credentials = job?.steps?.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    assert.equal(credentials?.with?.["role-to-assume"], expr("steps.plan.outputs.plan-role"));
    const sets = (job?.steps ?? []).filter((s) =>
      s.uses?.startsWith("aws-actions/aws-cloudformation-github-deploy@"),
    );
    assert.equal(sets.length, 5);
    for (const step of sets) {
      assert.equal(step.with?.mode, "create-only");
      assert.equal(step.with?.["role-arn"], undefined);
    }
    assert.deepEqual(changeset.parsed.on.pull_request?.paths?.slice(0, 2), [
      "cloudformation/**",
      "environments/**",
    ]);
  });
});

describe("release runner isolation", () => {
  const release = workflow("release-processes.yml");
  const others = [
    "deploy-infrastructure.yml",
    "deploy-stacks.yml",
    "infrastructure-changeset.yml",
    "pull-request.yml",
  ].map((file) => ({ file, ...workflow(file) }));

  test("only the release workflow can reach the release runners, through their runner group", () => {
    for (const [name, job] of Object.entries(release.parsed.jobs)) {
      assert.equal(
        job["runs-on"],
        expr(
          `vars.CAMUNDA_RELEASE_RUNNER_GROUP && fromJSON(format('{{"group":"{0}"}}', vars.CAMUNDA_RELEASE_RUNNER_GROUP)) || 'ubuntu-latest'`,
        ),
        `job ${name}`,
      );
    }
    for (const { file, text, parsed } of others) {
      assert.doesNotMatch(
        text,
        /CAMUNDA_RELEASE_RUNNER|self-hosted/,
        `${file} must not target the release runners`,
      );
      for (const [name, job] of Object.entries(parsed.jobs)) {
        if ((job as { uses?: string }).uses) continue;
        // GitHub's hosted runners, or a runner group of the job's own (the review job's).
        const runsOn = String(job["runs-on"]);
        const ownGroup = expr(
          `vars.CAMUNDA_REVIEW_ENVIRONMENT && vars.CAMUNDA_REVIEW_RUNNER_GROUP && fromJSON(format('{{"group":"{0}"}}', vars.CAMUNDA_REVIEW_RUNNER_GROUP)) || 'ubuntu-latest'`,
        );
        assert.ok(
          runsOn.startsWith("ubuntu-") || runsOn === ownGroup,
          `${file} job ${name} runs on ${runsOn}`,
        );
      }
    }
  });

  test("every release job first refuses a self-hosted runner that already ran a job", () => {
    for (const [name, job] of Object.entries(release.parsed.jobs)) {
      const first = job.steps?.[0];
      assert.equal(first?.name, "Refuse a reused self-hosted runner", `job ${name}`);
      assert.equal(first?.if, "runner.environment == 'self-hosted'");
      assert.match(String(first?.run), /if \[\[ -e "\$marker" \]\]; then[\s\S]*exit 1[\s\S]*>"\$marker"/);
    }
  });

  test("the reuse check refuses a runner the second time (run in bash)", async () => {
    const { spawnSync } = await import("node:child_process");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const script = String(release.parsed.jobs.plan?.steps?.[0]?.run);
    const home = mkdtempSync(path.join(tmpdir(), "runner-home-"));
    try {
      const run = () =>
        spawnSync("bash", ["-euo", "pipefail", "-c", script], {
          encoding: "utf8",
          env: { HOME: home, JOB_ID: "42-1-plan", PATH: process.env.PATH },
        });
      assert.equal(run().status, 0);
      const second = run();
      assert.equal(second.status, 1);
      assert.match(
        second.stdout,
        /::error::this self-hosted runner already ran job 42-1-plan; release runners must be ephemeral/,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("workers image: built once in CI, pinned by digest to the hosts", () => {
  const runtime = workflow("deploy-infrastructure.yml").parsed.jobs.runtime;
  const steps = runtime?.steps ?? [];

  test("the runtime job builds or reuses the image of this commit and hands its digest to packaging", () => {
    const image = steps.find((s) => (s as { id?: string }).id === "image");
    assert.ok(image, "a step with id image");
    const script = String(image.run);
    // Reuse first: a commit's image is built once, its tag never moves.
    assert.match(
      script,
      /aws ecr describe-images --repository-name "\$REPOSITORY" --image-ids "imageTag=\$TAG"/,
    );
    assert.match(script, /npm run build:workers/);
    assert.match(script, /docker buildx build --platform linux\/amd64 [\s\S]*--file workers\/Dockerfile/);
    assert.match(script, /\[\[ "\$digest" =~ \^sha256:\[0-9a-f\]\{64\}\$ \]\] \|\| \{ echo "::error::/);
    const order = steps.map((s) => s.name);
    assert.ok(order.indexOf(image.name) < order.indexOf("Package the runtime bundle"));
    const pkg = steps.find((s) => s.uses === "./actions/package-bundle");
    assert.equal(pkg?.with?.["workers-image-digest"], expr("steps.image.outputs.digest"));
    // Node 22 builds the workers' file on the runner, as in the image.
    const node = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    assert.ok(Number(node?.with?.["node-version"]) >= 22);
  });

  test("the production compose file runs the workers image by the digest install.sh writes, and builds nothing", () => {
    const compose = parse(readFileSync(repoPath("deploy", "docker-compose.yml"), "utf8")) as {
      services: Record<string, { image?: string; build?: unknown }>;
    };
    for (const [name, service] of Object.entries(compose.services))
      assert.equal(service.build, undefined, name);
    assert.match(String(compose.services.workers?.image), /^\$\{WORKERS_IMAGE:\?/);
    const install = readFileSync(repoPath("deploy", "scripts", "install.sh"), "utf8");
    assert.match(install, /settings\[WORKERS_IMAGE\]="\$\{settings\[WORKERS_REPOSITORY\]\}@\$digest"/);
    assert.match(install, /\[\[ "\$digest" =~ \^sha256:\[0-9a-f\]\{64\}\$ \]\]/);
    assert.doesNotMatch(
      readFileSync(repoPath("deploy", "scripts", "start.sh"), "utf8"),
      /compose build|docker build/,
    );
  });
});
