import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { testEngine, uniqueId } from "../../support/engine.js";
import { repoRoot } from "../../support/repo.js";
import { processXml, TempRepo, uniqueKey } from "./support.js";

// biome-ignore lint/suspicious/noTemplateCurlyInString: a JUEL expression, not a template
const BROKEN_JUEL = "${amount &gt; }";
const bundle = path.join(repoRoot, "actions", "release-processes", "dist", "index.js");
const workspaces: TempRepo[] = [];
after(() => {
  for (const w of workspaces) w.dispose();
});

/** A checkout as the runner would have it: environments/test.yaml (own tenant) and processes/. */
function workspace(files: Record<string, string>, restUrl = testEngine().restUrl): TempRepo {
  const repo = new TempRepo("release-action-");
  workspaces.push(repo);
  repo.write(
    "environments/test.yaml",
    [
      "name: test",
      "camunda:",
      `  restUrl: ${restUrl}`,
      `  tenantId: ${uniqueId("action")}`,
      "  deploymentName: insurance-platform",
      "  deploymentSource: github-actions",
      "",
    ].join("\n"),
  );
  for (const [file, content] of Object.entries(files)) repo.write(file, content);
  repo.commit("checkout");
  return repo;
}

/** Runs the committed bundle the way the runner does: inputs as INPUT_*, outputs and summary as files. */
function runAction(repo: TempRepo, inputs: Record<string, string>) {
  const outputFile = path.join(repo.root, ".github-output");
  const summaryFile = path.join(repo.root, ".github-summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const { username, password } = testEngine();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: repo.root,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    CAMUNDA_USERNAME: username,
    CAMUNDA_PASSWORD: password,
    // What the runner sets about the run; the release records it as the deployment's provenance.
    GITHUB_REPOSITORY: "example-org/claims-platform",
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "2",
    GITHUB_WORKFLOW: "Release processes",
    GITHUB_ACTOR: "release-manager",
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise<{
    code: number | null;
    stdout: string;
    outputs: string;
    summary: string;
    password: string;
  }>((resolve) => {
    const child = spawn(process.execPath, [bundle], { cwd: repo.root, env });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.on("close", (code) =>
      resolve({
        code,
        stdout,
        outputs: readFileSync(outputFile, "utf8"),
        summary: readFileSync(summaryFile, "utf8"),
        password,
      }),
    );
  });
}

/** The release.json resource of a deployment, read with plain REST calls. */
async function releaseRecord(deploymentId: string): Promise<unknown> {
  const { restUrl, username, password } = testEngine();
  const headers = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
  const resources = (await (
    await fetch(`${restUrl}/deployment/${deploymentId}/resources`, { headers })
  ).json()) as Array<{ id: string; name: string }>;
  const info = resources.find((r) => r.name === "release.json");
  assert.ok(info, `deployment ${deploymentId} has no release.json: ${JSON.stringify(resources)}`);
  return (await fetch(`${restUrl}/deployment/${deploymentId}/resources/${info.id}/data`, { headers })).json();
}

/** Reads one output from the runner's GITHUB_OUTPUT file format (name<<delimiter ... delimiter). */
function output(outputs: string, name: string): string | undefined {
  const match = new RegExp(`^${name}<<(\\S+)\\n([\\s\\S]*?)\\n\\1$`, "m").exec(outputs);
  return match?.[2];
}

describe("the release-processes action bundle", () => {
  it("plans (dry run), releases, and releases again without new versions", async () => {
    const key = uniqueKey("action");
    const repo = workspace({ "processes/claim.bpmn": processXml(key) });

    const plan = await runAction(repo, { environment: "test", "dry-run": "true", smoke: "false" });
    assert.equal(plan.code, 0, plan.stdout);
    const planned = JSON.parse(output(plan.outputs, "result") ?? "{}");
    assert.equal(planned.dryRun, true);
    assert.deepEqual(
      planned.definitions.map((d: { key: string; change: string }) => [d.key, d.change]),
      [[key, "new"]],
    );
    assert.equal(output(plan.outputs, "has-changes"), "true");
    const digest = output(plan.outputs, "plan-digest");
    assert.match(digest ?? "", /^[0-9a-f]{16}$/);
    assert.match(plan.summary, /^### Process release: test$/m);
    // The password is registered as a secret before anything else and never printed otherwise.
    assert.ok(plan.stdout.startsWith(`::add-mask::${plan.password}\n`));
    assert.equal(plan.stdout.split(plan.password).length, 2);

    const first = await runAction(repo, {
      environment: "test",
      "dry-run": "false",
      smoke: "false",
      "expected-plan-digest": digest!,
    });
    assert.equal(first.code, 0, first.stdout);
    assert.equal(output(first.outputs, "new-versions"), "1");
    assert.match(first.summary, new RegExp(`\\| ${key} \\| – \\| 1 \\| ${key}:1:[^|]+ \\| new \\|`));
    // Provenance: the deployment holds the repository, the commit and the run that released it.
    const deploymentId = JSON.parse(output(first.outputs, "result") ?? "{}").deployment.id as string;
    assert.deepEqual(await releaseRecord(deploymentId), {
      repository: "example-org/claims-platform",
      commit: repo.git("rev-parse", "HEAD"),
      ref: "main",
      dirty: false,
      environment: "test",
      run: {
        id: "4242",
        attempt: 2,
        url: "https://github.example/example-org/claims-platform/actions/runs/4242/attempts/2",
        workflow: "Release processes",
        actor: "release-manager",
      },
      resources: { "claim.bpmn": `sha256:${createHash("sha256").update(processXml(key)).digest("hex")}` },
    });

    // The release job deploys only an approved plan: without its digest the bundle refuses.
    const unapproved = await runAction(repo, { environment: "test", "dry-run": "false", smoke: "false" });
    assert.equal(unapproved.code, 1);
    assert.match(unapproved.stdout, /^::error::the release to test has no expected plan digest: /m);

    const replan = await runAction(repo, { environment: "test", "dry-run": "true", smoke: "false" });
    const again = await runAction(repo, {
      environment: "test",
      "dry-run": "false",
      smoke: "false",
      "expected-plan-digest": output(replan.outputs, "plan-digest")!,
    });
    assert.equal(again.code, 0, again.stdout);
    assert.equal(output(again.outputs, "new-versions"), "0");
    assert.match(again.stdout, /no new versions/);
  });

  it("annotates the lines that stop a release and fails the step", async () => {
    const repo = workspace({
      "processes/broken.bpmn": processXml(uniqueKey("action_broken"), { condition: BROKEN_JUEL }),
    });
    const run = await runAction(repo, {
      environment: "test",
      "dry-run": "false",
      smoke: "false",
      "expected-plan-digest": "0000000000000000",
    });
    assert.equal(run.code, 1);
    // The linter places the finding on the condition expression itself, inside Flow_Large.
    const line =
      processXml("x", { condition: BROKEN_JUEL })
        .split("\n")
        .findIndex((l) => l.includes("<bpmn:conditionExpression")) + 1;
    assert.match(
      run.stdout,
      new RegExp(
        `^::error title=camunda-gitops/expression-syntax \\(Flow_Large\\),file=processes/broken\\.bpmn,line=${line},col=\\d+::`,
        "m",
      ),
    );
    assert.match(
      run.stdout,
      /^::error::the linter reports 1 error\(s\) in processes\/broken\.bpmn; the release did not start/m,
    );
  });

  it("fails with one sentence for an unknown environment", async () => {
    const repo = workspace({ "processes/claim.bpmn": processXml(uniqueKey("action_env")) });
    const run = await runAction(repo, { environment: "nosuch", "dry-run": "true", smoke: "false" });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^::error::unknown environment "nosuch": there is no .*nosuch\.yaml; choose one of test\./m,
    );
  });
});
