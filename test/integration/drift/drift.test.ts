/**
 * `camunda-gitops drift` on the real engine, with the project's own models in a repository of their
 * own and a tenant of their own: missing before the first release, in sync after it (exit 0), a hot-fix
 * deployed the way Camunda Modeler deploys (exit 2, foreign and modified, the change named), a key git
 * does not have, a layout-only edit that is not drift, the release name typed by hand, a file removed
 * from git, and retirement by suspension.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { checkDrift, type DriftEntry, type DriftReport } from "#core/drift/index.js";
import { release } from "#core/release/release.js";
import { runCli } from "../../support/cli.js";
import { testEngine } from "../../support/engine.js";
import { repoPath } from "../../support/repo.js";
import {
  isolatedTarget,
  processXml,
  projectLint,
  quietSteps,
  TempRepo,
  uniqueKey,
} from "../release/support.js";

const model = (name: string) => readFileSync(repoPath("processes", name), "utf8");
const REPOSITORY = "example-org/claims-platform";

/** What a person does in Camunda Modeler for a hot-fix: shorter review deadline, file saved (exporter, layout). */
function modelerHotfix(xml: string): string {
  const changed = xml
    .replace("'P2D'", "'PT4H'")
    .replace(
      'id="InsuranceProcessDefinitions"',
      'id="InsuranceProcessDefinitions" exporter="Camunda Modeler" exporterVersion="5.31.0"',
    );
  assert.notEqual(changed, xml);
  return changed;
}

describe("drift between the engine and git", () => {
  const { client, username, password } = testEngine();
  const target = { ...isolatedTarget("drift"), deploymentSource: "github-actions", environment: "test" };
  const tenantId = target.tenantId!;
  const repo = new TempRepo("drift-repo-");
  const credentials = {
    CAMUNDA_USERNAME: username,
    CAMUNDA_PASSWORD: password,
    GITHUB_REPOSITORY: REPOSITORY,
  };
  const base = {
    client,
    target,
    repoRoot: repo.root,
    step: quietSteps,
    lint: projectLint,
    provenance: { repository: REPOSITORY, run: null },
  };
  const check = () => checkDrift({ client, target, repoRoot: repo.root, repository: REPOSITORY });
  const entry = (report: DriftReport, key: string): DriftEntry => {
    const found = report.entries.find((e) => e.key === key);
    assert.ok(found, `${key} is not in the report: ${report.entries.map((e) => e.key).join(", ")}`);
    return found;
  };

  before(() => {
    repo.write(
      "environments/test.yaml",
      [
        "name: test",
        "camunda:",
        `  restUrl: ${target.restUrl}`,
        `  tenantId: ${tenantId}`,
        `  deploymentName: ${target.deploymentName}`,
        `  deploymentSource: ${target.deploymentSource}`,
        "",
      ].join("\n"),
    );
    for (const file of [
      "insurance_process.bpmn",
      "document_request.bpmn",
      "risk_rating.dmn",
      "review-application.form",
    ]) {
      repo.write(`processes/${file}`, model(file));
    }
    repo.commit("the insurance models");
  });
  after(() => repo.dispose());

  it("names every file as missing before the first release, and exits 2", async () => {
    const run = await runCli(repo.root, ["drift", "--env", "test"], credentials);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /drifts from main @ [0-9a-f]{12}: 3 missing\./);
    const report = await check();
    assert.deepEqual(
      report.entries.map((e) => [e.key, e.state, e.drift]),
      [
        ["document_request", "missing", true],
        ["insurance_process", "missing", true],
        ["risk_rating", "missing", true],
      ],
    );
  });

  it("is in sync after a release, and the CLI exits 0", async () => {
    // Three definitions and the review form; drift compares the definitions.
    assert.equal((await release(base)).newVersions, 4);
    const run = await runCli(repo.root, ["drift", "--env", "test"], credentials);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /is in sync with main @ [0-9a-f]{12}: 3 definition\(s\) as in git\./);
    const report = await check();
    assert.ok(report.inSync);
    for (const e of report.entries) {
      assert.equal(e.state, "in-sync");
      assert.equal(e.foreign, false);
      assert.equal(e.deployed?.release?.repository, REPOSITORY, "the release record is read back");
    }
  });

  it("a hot-fix deployed from Camunda Modeler is foreign and modified, with the change named (exit 2)", async () => {
    await client.deploy({
      name: "insurance_process",
      source: "Camunda Modeler",
      tenantId,
      resources: [
        { name: "insurance_process.bpmn", content: modelerHotfix(model("insurance_process.bpmn")) },
      ],
    });
    const run = await runCli(repo.root, ["drift", "--env", "test", "--format", "json"], credentials);
    assert.equal(run.code, 2, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.equal(json.inSync, false);
    const hotfix = json.definitions.find((d: { key: string }) => d.key === "insurance_process");
    assert.equal(hotfix.state, "modified");
    assert.equal(hotfix.foreign, true);
    assert.equal(hotfix.deployed.version, 2);
    assert.equal(hotfix.deployed.deploymentSource, "Camunda Modeler");
    assert.equal(hotfix.deployed.release, null);
    assert.match(hotfix.note, /source "Camunda Modeler", not a release/);
    // The review's semantic diff, git → engine: the deadline; the exporter attributes are no behaviour.
    assert.deepEqual(
      hotfix.changes.map((c: { elementId: string; property: string }) => [c.elementId, c.property]),
      [["BoundaryEvent_ReviewOverdue", "timerEventDefinition.timeDuration"]],
    );
    assert.match(hotfix.changes[0].after, /PT4H/);
    const others = json.definitions.filter((d: { key: string }) => d.key !== "insurance_process");
    assert.deepEqual(
      others.map((d: { key: string; state: string; drift: boolean }) => [d.key, d.state, d.drift]),
      [
        ["document_request", "in-sync", false],
        ["risk_rating", "in-sync", false],
      ],
    );
    const text = await runCli(repo.root, ["drift", "--env", "test"], credentials);
    assert.match(text.stdout, /! insurance_process +modified, foreign +process insurance_process version 2/);
    assert.match(text.stdout, /~ .*BoundaryEvent_ReviewOverdue/);
  });

  it("a key git does not have is unmanaged; a layout-only edit in git is no drift", async () => {
    const stray = uniqueKey("stray");
    await client.deploy({
      name: "stray",
      source: "Camunda Modeler",
      tenantId,
      resources: [{ name: "stray.bpmn", content: processXml(stray) }],
    });
    // The release puts insurance_process back on top; then git gets a re-saved copy: moved shape, exporter.
    await release(base);
    const resaved = model("insurance_process.bpmn")
      .replace(
        /(bpmnElement="Task_ReviewApplication">\s*<dc:Bounds x=")(\d+)/,
        (_m, a: string, x: string) => `${a}${Number(x) + 40}`,
      )
      .replace(
        'modeler:executionPlatformVersion="7.23.0"',
        'modeler:executionPlatformVersion="7.23.0" exporter="Camunda Modeler" exporterVersion="5.31.0"',
      );
    assert.notEqual(resaved, model("insurance_process.bpmn"));
    repo.write("processes/insurance_process.bpmn", resaved);
    repo.commit("re-saved in the Modeler");

    const report = await check();
    const unmanaged = entry(report, stray);
    assert.deepEqual([unmanaged.state, unmanaged.foreign, unmanaged.drift], ["unmanaged", true, true]);
    assert.match(unmanaged.note, /is not in git: it was deployment "stray" with source "Camunda Modeler"/);
    const layout = entry(report, "insurance_process");
    assert.deepEqual([layout.state, layout.foreign, layout.drift], ["in-sync", false, false]);
    assert.match(layout.note, /differ in layout, formatting or modeler metadata only/);
    assert.deepEqual(
      report.entries.filter((e) => e.drift).map((e) => e.key),
      [stray],
    );
    // Retired by hand: suspended, so it is reported but no longer drift.
    const definition = unmanaged.deployed!;
    await client.ok(
      client.api.PUT("/process-definition/{id}/suspended", {
        params: { path: { id: definition.id } },
        body: { suspended: true, includeProcessInstances: false },
      }),
    );
    const after = entry(await check(), stray);
    assert.deepEqual([after.state, after.drift], ["retired", false]);
  });

  it("a new file is missing; the release name typed by hand without a release record is foreign", async () => {
    const added = uniqueKey("added");
    repo.write("processes/added.bpmn", processXml(added));
    repo.commit("a new process");
    const missing = entry(await check(), added);
    assert.deepEqual([missing.state, missing.file, missing.drift], ["missing", "processes/added.bpmn", true]);

    // Someone deploys the very file through the REST API with the release's name and source.
    await client.deploy({
      name: target.deploymentName,
      source: target.deploymentSource,
      tenantId,
      resources: [{ name: "added.bpmn", content: processXml(added) }],
    });
    const typed = entry(await check(), added);
    assert.deepEqual([typed.state, typed.foreign, typed.drift], ["in-sync", true, true]);
    assert.match(typed.note, /without a release\.json record/);
  });

  it("a released process whose file left git is removed (drift)", async () => {
    const gone = uniqueKey("gone");
    repo.write("processes/gone.bpmn", processXml(gone));
    repo.commit("a process that will go");
    await release(base);
    repo.remove("processes/gone.bpmn");
    repo.commit("the process went");
    const removed = entry(await check(), gone);
    assert.deepEqual([removed.state, removed.foreign, removed.drift], ["removed", false, true]);
    assert.match(removed.note, /its file left git but new instances can still start/);
  });

  it("an unknown environment is an error (exit 1), never read as drift", async () => {
    const run = await runCli(repo.root, ["drift", "--env", "nosuch"], credentials);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^error: unknown environment "nosuch"/m);
  });

  it("an engine that does not answer is an error (exit 1) in one sentence", async () => {
    const run = await runCli(repo.root, ["drift", "--env", "test"], {
      ...credentials,
      CAMUNDA_URL: "http://127.0.0.1:9/engine-rest",
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /error: cannot reach the Camunda engine at http:\/\/127\.0\.0\.1:9\/engine-rest/,
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  });

  it("wrong credentials are an error (exit 1) that names the variables", async () => {
    const run = await runCli(repo.root, ["drift", "--env", "test"], {
      ...credentials,
      CAMUNDA_PASSWORD: "wrong-password",
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /rejected the credentials .*check CAMUNDA_USERNAME and CAMUNDA_PASSWORD/);
  });
});
