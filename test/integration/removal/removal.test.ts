/**
 * A process whose file left git, on the real engine: the plan lists it as removed, the release
 * suspends every version of it where the environment says `camunda.removedProcesses: suspend`, a new
 * start is refused with a sentence that says so, and the instance that was running finishes. A key
 * this repository never released (a Modeler deployment) is not the release's to retire.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CamundaError } from "#core/camunda/errors.js";
import type { ReleaseTarget } from "#core/release/plan.js";
import { planRelease, release } from "#core/release/release.js";
import { formatPlanText, formatReleaseText } from "#core/release/report.js";
import { testEngine } from "../../support/engine.js";
import {
  isolatedTarget,
  processXml,
  projectLint,
  quietSteps,
  TempRepo,
  uniqueKey,
} from "../release/support.js";

describe("removal: a process whose file left git", () => {
  const { client } = testEngine();
  const target: ReleaseTarget = { ...isolatedTarget("removal"), removedProcesses: "suspend" };
  const tenantId = target.tenantId!;
  const repo = new TempRepo("removal-repo-");
  const base = { client, target, repoRoot: repo.root, step: quietSteps, lint: projectLint };
  const kept = uniqueKey("kept");
  const retired = uniqueKey("retired");
  const foreign = uniqueKey("modeler");
  let running = "";

  const definitions = async (key: string) =>
    client.ok(client.api.GET("/process-definition", { params: { query: { key, tenantIdIn: tenantId } } }));
  const start = (key: string) =>
    client.ok(
      client.api.POST("/process-definition/key/{key}/tenant-id/{tenant-id}/start", {
        params: { path: { key, "tenant-id": tenantId } },
        body: { variables: { amount: { value: 5000, type: "Integer" } } },
      }),
    );

  before(async () => {
    repo.write(`processes/${kept}.bpmn`, processXml(kept));
    repo.write(`processes/${retired}.bpmn`, processXml(retired));
    repo.commit("two processes");
    assert.equal((await release(base)).newVersions, 2);
    repo.write(`processes/${retired}.bpmn`, processXml(retired, { taskName: "Review again" }));
    repo.commit("a second version");
    assert.equal((await release(base)).newVersions, 1);
    running = (await start(retired)).id!;
    // Deployed by hand from the Modeler: never released from here, so never retired by a release.
    await client.deploy({
      name: "hot-fix",
      source: "Camunda Modeler",
      tenantId,
      resources: [{ name: `${foreign}.bpmn`, content: processXml(foreign) }],
    });
  });
  after(() => repo.dispose());

  it("the plan lists the removed process and what the release will do with it", async () => {
    repo.remove(`processes/${retired}.bpmn`);
    repo.commit(`${retired} retired`);
    const { plan, rows } = await planRelease(base);
    assert.deepEqual(
      plan.removals.map((r) => [r.type, r.key, r.version, r.action]),
      [["process", retired, 2, "suspend"]],
      "only the released key that left git; the Modeler deployment is not ours to retire",
    );
    assert.match(
      formatPlanText(plan, rows),
      new RegExp(
        `^removed from git: process ${retired} version 2 \\(released from [0-9a-f]{12}\\): suspended by this release: running instances finish, new ones are refused$`,
        "m",
      ),
    );
    const keep = await planRelease({ ...base, target: { ...target, removedProcesses: "keep" } });
    assert.equal(keep.plan.removals[0]?.action, "keep");
    assert.notEqual(keep.plan.digest, plan.digest, "approving one policy does not approve the other");
  });

  it("the release suspends every version; a new start is refused with a clear message", async () => {
    const result = await release(base);
    assert.deepEqual(
      result.removals.map((r) => [r.key, r.suspended.length]),
      [[retired, 2]],
    );
    assert.match(
      formatReleaseText(result),
      new RegExp(
        `^suspended: ${retired} \\(2 version\\(s\\)\\): new instances are refused, running ones finish$`,
        "m",
      ),
    );
    assert.deepEqual(
      (await definitions(retired)).map((d) => d.suspended),
      [true, true],
    );
    assert.deepEqual(
      (await definitions(kept)).map((d) => d.suspended),
      [false],
      "a process still in git is untouched",
    );
    assert.deepEqual(
      (await definitions(foreign)).map((d) => d.suspended),
      [false],
      "a Modeler deployment is untouched",
    );
    await assert.rejects(start(retired), (error: unknown) => {
      assert.ok(error instanceof CamundaError);
      assert.match(error.message, new RegExp(`${retired}.*is suspended`));
      assert.match(error.message, /retired by a release|left git|suspended/);
      return true;
    });
    // History stays.
    const { count } = await client.ok(
      client.api.GET("/history/process-instance/count", {
        params: { query: { processDefinitionKey: retired, tenantIdIn: tenantId } },
      }),
    );
    assert.equal(count, 1);
  });

  it("the instance that was running finishes on its suspended version", async () => {
    const [task] = await client.ok(
      client.api.GET("/task", { params: { query: { processInstanceId: running } } }),
    );
    assert.equal(task?.taskDefinitionKey, "Task_Review");
    await client.ok(client.api.POST("/task/{id}/complete", { params: { path: { id: task.id! } }, body: {} }));
    const instance = await client.ok(
      client.api.GET("/history/process-instance/{id}", { params: { path: { id: running } } }),
    );
    assert.equal(instance.state, "COMPLETED");
  });

  it("releasing again changes nothing: the process is already suspended", async () => {
    const result = await release(base);
    assert.deepEqual(result.removals, []);
    assert.deepEqual(
      result.plan.removals.map((r) => [r.key, r.action, r.reason]),
      [[retired, "none", "already suspended"]],
    );
  });
});
