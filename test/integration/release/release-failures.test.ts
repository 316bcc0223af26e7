import assert from "node:assert/strict";
import net from "node:net";
import { after, describe, it } from "node:test";
import { CamundaError, CamundaUnreachableError, createCamundaClient } from "#core/camunda/index.js";
import { loadManifest, manifestFile } from "#core/fidelity/manifest.js";
import { latestDefinition } from "#core/release/definitions.js";
import { DeploymentRefusedError } from "#core/release/deploy-errors.js";
import { LintRefusedError } from "#core/release/lint-gate.js";
import { planRelease, release } from "#core/release/release.js";
import { UsageError } from "#core/util/errors.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { repoRoot } from "../../support/repo.js";
import {
  decisionXml,
  isolatedTarget,
  processXml,
  projectLint,
  quietSteps,
  TempRepo,
  uniqueKey,
} from "./support.js";

/** A JUEL condition with a syntax error, as written in the XML. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a JUEL expression, not a template
const BROKEN_JUEL = "${amount &gt; }";

const repos: TempRepo[] = [];
after(() => {
  for (const repo of repos) repo.dispose();
});

/** A temporary repository with the given files committed, and a release base on its own tenant. */
function setup(prefix: string, files: Record<string, string>) {
  const repo = new TempRepo();
  repos.push(repo);
  for (const [file, content] of Object.entries(files)) repo.write(file, content);
  repo.commit("models");
  const target = isolatedTarget(prefix);
  const { client } = testEngine();
  const deploymentCount = async () =>
    (
      await client.ok(
        client.api.GET("/deployment/count", { params: { query: { tenantIdIn: target.tenantId! } } }),
      )
    ).count ?? 0;
  return {
    repo,
    target,
    client,
    deploymentCount,
    base: { client, target, repoRoot: repo.root, step: quietSteps, lint: projectLint },
  };
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split("\n").length;
}

describe("a release the engine refuses deploys nothing", () => {
  it("an invalid condition expression: the engine's error with file, line and column", async () => {
    const key = uniqueKey("broken_script");
    // An empty script language is a parse error the engine reports with its own line and column.
    const xml = processXml(key, { condition: "amount &gt; 1000", conditionAttributes: ' language=""' });
    const good = uniqueKey("fine");
    const { base, deploymentCount } = setup("broken-script", {
      "processes/broken.bpmn": xml,
      "processes/fine.bpmn": processXml(good),
    });
    const error = await release({ ...base, lint: null }).then(
      () => assert.fail("the release should have failed"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DeploymentRefusedError, String(error));
    assert.equal(error.exitCode, 1);
    const problem = error.problems.find((p) => p.position === "engine");
    assert.ok(problem, JSON.stringify(error.problems));
    assert.equal(problem.file, "processes/broken.bpmn");
    assert.equal(problem.line, lineOf(xml, "<bpmn:conditionExpression"));
    assert.ok(problem.column > 1);
    assert.equal(problem.elementId, "Flow_Large");
    assert.match(problem.message, /condition expression/i);
    assert.match(error.message, /processes\/broken\.bpmn.*nothing was deployed/);
    assert.ok(
      error.details.some((d) => d.startsWith(`processes/broken.bpmn:${problem.line}:${problem.column}: `)),
    );
    // Problems the engine finds after parsing (0:0) are placed on their element's start tag.
    const gateway = error.problems.find((p) => p.elementId === "Gateway_Amount");
    if (gateway) {
      assert.equal(gateway.position, "model");
      assert.equal(gateway.line, lineOf(xml, '<bpmn:exclusiveGateway id="Gateway_Amount"'));
    }
    assert.equal(await deploymentCount(), 0);
    assert.equal(
      await latestDefinition(base.client, { type: "process", key: good }, base.target.tenantId!),
      null,
    );
  });

  it("a JUEL syntax error (the engine's HTTP 500 without position): located in the file", async () => {
    const key = uniqueKey("broken_juel");
    const xml = processXml(key, { condition: BROKEN_JUEL });
    const { base, deploymentCount } = setup("broken-juel", { "processes/claims/broken.bpmn": xml });
    const error = await release({ ...base, lint: null }).then(
      () => assert.fail("the release should have failed"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DeploymentRefusedError, String(error));
    assert.equal(error.problems.length, 1);
    const [problem] = error.problems;
    assert.equal(problem?.file, "processes/claims/broken.bpmn");
    assert.equal(problem?.line, lineOf(xml, BROKEN_JUEL));
    assert.equal(problem?.column, xml.split("\n")[problem!.line - 1]!.indexOf(BROKEN_JUEL) + 1);
    assert.equal(problem?.elementId, "Flow_Large");
    assert.match(problem?.message ?? "", /cannot parse the expression \$\{amount > \}/);
    assert.equal(await deploymentCount(), 0);
  });

  it("the same broken expression is refused by the linter before the engine is asked", async () => {
    const { base, deploymentCount } = setup("lint-gate", {
      "processes/broken.bpmn": processXml(uniqueKey("lint_gate"), { condition: BROKEN_JUEL }),
    });
    await assert.rejects(release(base), (error: unknown) => {
      assert.ok(error instanceof LintRefusedError, String(error));
      assert.equal(error.exitCode, 1);
      assert.ok(
        error.findings.some((f) => f.file === "processes/broken.bpmn" && f.elementId === "Flow_Large"),
      );
      assert.match(error.message, /the release did not start/);
      return true;
    });
    assert.equal(await deploymentCount(), 0);
  });

  it("a DMN the engine cannot transform (HTTP 500 ENGINE-22004): named, nothing deployed", async () => {
    const { base, deploymentCount } = setup("broken-dmn", {
      "processes/ok.bpmn": processXml(uniqueKey("with_bad_dmn")),
      "processes/rates.dmn": decisionXml(uniqueKey("bad_dmn"), { hitPolicy: "PRIORITY" }),
    });
    await assert.rejects(release({ ...base, lint: null }), (error: unknown) => {
      assert.ok(error instanceof DeploymentRefusedError, String(error));
      assert.equal(error.problems[0]?.file, "processes/rates.dmn");
      assert.match(error.message, /processes\/rates\.dmn is not a DMN it can transform/);
      return true;
    });
    assert.equal(await deploymentCount(), 0);
  });
});

describe("credentials and connectivity", () => {
  it("a wrong password: 401 naming the user, never the password", async () => {
    // A throwaway user: the engine delays further logins of a user after a failed one, and the shared
    // admin must stay usable for every other test.
    const { client: admin, restUrl } = testEngine();
    // The engine accepts letters and digits only in user ids by default.
    const username = uniqueId("releaseuser").replace(/-/g, "");
    await admin.ok(
      admin.api.POST("/user/create", {
        body: {
          profile: { id: username, firstName: "Release", lastName: "Test", email: `${username}@example.com` },
          credentials: { password: "the-right-password-1" },
        },
      }),
    );
    try {
      const password = "wrong-password-for-the-test";
      const client = createCamundaClient({ baseUrl: restUrl, username, password });
      const { base } = setup("wrong-password", { "processes/p.bpmn": processXml(uniqueKey("wrong_pw")) });
      await assert.rejects(planRelease({ ...base, client }), (error: unknown) => {
        assert.ok(error instanceof CamundaError, String(error));
        assert.equal(error.status, 401);
        assert.match(error.message, new RegExp(`user "${username}"`));
        assert.match(error.message, /CAMUNDA_USERNAME and CAMUNDA_PASSWORD/);
        assert.doesNotMatch(error.message, new RegExp(password));
        return true;
      });
    } finally {
      await admin.api.DELETE("/user/{id}", { params: { path: { id: username } } });
    }
  });

  it("an engine that is down: retried with backoff, then one clear failure", async () => {
    const port = await unusedPort();
    const retries: number[] = [];
    const baseUrl = `http://127.0.0.1:${port}/engine-rest`;
    const client = createCamundaClient({
      baseUrl,
      username: "nobody",
      password: "irrelevant",
      retries: 2,
      backoffMs: 10,
      onRetry: ({ attempt }) => retries.push(attempt),
    });
    const { base } = setup("engine-down", { "processes/p.bpmn": processXml(uniqueKey("down")) });
    await assert.rejects(release({ ...base, client, lint: null }), (error: unknown) => {
      assert.ok(error instanceof CamundaUnreachableError, String(error));
      assert.equal(error.exitCode, 1);
      assert.match(
        error.message,
        new RegExp(`cannot reach the Camunda engine at ${baseUrl} after 3 attempt\\(s\\)`),
      );
      assert.match(error.message, /ECONNREFUSED/);
      return true;
    });
    assert.deepEqual(retries, [1, 2]);
  });
});

describe("guards", () => {
  it("refuses --smoke where the environment does not allow it, before touching the engine", async () => {
    const { base, deploymentCount } = setup("no-smoke", {
      "processes/p.bpmn": processXml(uniqueKey("no_smoke")),
    });
    await assert.rejects(
      release({ ...base, smoke: true, allowSmokeTests: false }),
      (error: unknown) =>
        error instanceof UsageError && /--smoke is not allowed in environment "test"/.test(error.message),
    );
    assert.equal(await deploymentCount(), 0);
  });

  it("refuses to deploy when the plan differs from the approved one", async () => {
    const { base, deploymentCount } = setup("digest", {
      "processes/p.bpmn": processXml(uniqueKey("digest")),
    });
    const { plan } = await planRelease(base);
    await assert.rejects(
      release({ ...base, expectedPlanDigest: "0000000000000000" }),
      /the plan for test changed since it was approved/,
    );
    assert.equal(await deploymentCount(), 0);
    const result = await release({ ...base, expectedPlanDigest: plan.digest });
    assert.equal(result.newVersions, 1);
  });

  it("a dry run lints and plans but deploys nothing", async () => {
    const { base, deploymentCount } = setup("dry-run", { "processes/p.bpmn": processXml(uniqueKey("dry")) });
    const result = await release({ ...base, dryRun: true });
    assert.equal(result.dryRun, true);
    assert.equal(result.deployment, null);
    assert.equal(result.rows[0]?.change, "new");
    assert.equal(await deploymentCount(), 0);
  });
});

describe("versions deployed outside the releases", () => {
  it("a hand deployment in between: the plan says so and the release puts the file on top again", async () => {
    const key = uniqueKey("drift");
    const other = uniqueKey("drift_other");
    const { base, client } = setup("drift", {
      "processes/drift.bpmn": processXml(key),
      "processes/other.bpmn": processXml(other),
    });
    assert.equal((await release(base)).newVersions, 2);
    // Someone deploys another version from the Modeler: same key, another deployment name and source.
    await client.deploy({
      name: "Release test",
      source: "Camunda Modeler",
      tenantId: base.target.tenantId!,
      resources: [{ name: "drift.bpmn", content: processXml(key, { taskName: "Hotfix" }) }],
    });

    const { plan } = await planRelease(base);
    const drifted = plan.resources.find((r) => r.name === "drift.bpmn")!;
    assert.equal(drifted.status, "changed");
    assert.match(
      drifted.outsideRelease ?? "",
      /deployment "Release test" with source "Camunda Modeler", not a release/,
    );
    assert.match(drifted.summary ?? "", /Task_Review "Review" \(name\)/);

    // The file equals the last release's copy, so the engine's duplicate filter alone would skip it.
    const result = await release(base);
    const rows = new Map(result.rows.map((r) => [r.key, r]));
    assert.deepEqual(
      [rows.get(key)?.previousVersion, rows.get(key)?.newVersion, rows.get(key)?.status],
      [2, 3, "updated"],
    );
    assert.deepEqual([rows.get(other)?.newVersion, rows.get(other)?.status], [1, "unchanged"]);
  });
});

describe("smoke test", () => {
  it("starts each new process with its example, sees it wait, and deletes the instance", async () => {
    const key = uniqueKey("smoke");
    const { base } = setup("smoke", {
      "processes/smoke.bpmn": processXml(key),
      [`processes/examples/${key}.json`]: JSON.stringify({
        businessKey: "APP-SMOKE",
        variables: { amount: { value: 5000, type: "Integer" } },
      }),
    });
    const result = await release({
      ...base,
      smoke: true,
      allowSmokeTests: true,
      engineCapabilities: loadManifest(manifestFile(repoRoot)).capabilities,
    });
    assert.equal(result.smoke.length, 1);
    const [outcome] = result.smoke;
    assert.equal(outcome?.status, "passed", outcome?.detail);
    assert.equal(outcome?.example, `processes/examples/${key}.json`);
    assert.match(outcome?.detail ?? "", /waits at Task_Review "Review"/);
    // The engine part of the smoke test: read-only, and this engine is the production image's equal.
    assert.equal(result.engineProbe?.mode, "read-only");
    assert.equal(result.engineProbe?.differences, 0, JSON.stringify(result.engineProbe?.checks));

    const { client } = testEngine();
    const running = await client.ok(
      client.api.GET("/process-instance/count", { params: { query: { processDefinitionKey: key } } }),
    );
    assert.equal(running.count, 0, "the smoke instance was not deleted");
    const history = await client.ok(
      client.api.GET("/history/process-instance", { params: { query: { processDefinitionKey: key } } }),
    );
    assert.equal(history.length, 1);
    assert.match(history[0]?.businessKey ?? "", /^APP-SMOKE-smoke-/);
  });

  it("reports a process that fails on start as a failed smoke test, after deploying it", async () => {
    const key = uniqueKey("smoke_fail");
    const { base } = setup("smoke-fail", {
      "processes/smoke.bpmn": processXml(key),
      // No `amount`: the gateway's condition cannot be evaluated.
      [`processes/examples/${key}/first.json`]: JSON.stringify({ variables: {} }),
    });
    await assert.rejects(release({ ...base, smoke: true, allowSmokeTests: true }), (error: unknown) => {
      assert.match(String((error as Error).message), /is deployed, but the smoke test of .* failed/);
      assert.match((error as { details: string[] }).details.join("\n"), /amount/);
      return true;
    });
    assert.ok(await latestDefinition(base.client, { type: "process", key }, base.target.tenantId!));
  });
});

async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
