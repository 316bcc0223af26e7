/**
 * Camunda Forms in a release, on the real engine: a process whose user task takes its form from its
 * own deployment (camunda:formRefBinding="deployment") is always deployed together with that form,
 * whichever of the two changed, so every new process version shows the form of its commit, and the
 * tasks of older versions keep theirs. The plan says why a process is redeployed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { latestDefinition } from "#core/release/definitions.js";
import { planRelease, release } from "#core/release/release.js";
import { UserError } from "#core/util/errors.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import {
  formJson,
  isolatedTarget,
  processXml,
  projectLint,
  quietSteps,
  TempRepo,
  uniqueKey,
} from "./support.js";

describe("release of processes with Camunda Forms bound to their deployment", () => {
  const { client } = testEngine();
  const target = isolatedTarget("release-forms");
  const tenantId = target.tenantId!;
  const repo = new TempRepo("release-forms-");
  const claim = uniqueKey("forms_claim");
  const formKey = uniqueId("claim-review");
  const base = { client, target, repoRoot: repo.root, step: quietSteps, lint: projectLint };

  const deploymentCount = async () =>
    (await client.ok(client.api.GET("/deployment/count", { params: { query: { tenantIdIn: tenantId } } })))
      .count ?? 0;
  /** Starts the latest claim with a large amount and returns the form its review task shows. */
  const formOfNewTask = async (): Promise<{ taskId: string; fields: string[] }> => {
    const businessKey = uniqueId("forms");
    await client.ok(
      client.api.POST("/process-definition/key/{key}/tenant-id/{tenant-id}/start", {
        params: { path: { key: claim, "tenant-id": tenantId } },
        body: { businessKey, variables: { amount: { value: 5000, type: "Integer" } } },
      }),
    );
    const [task] = await client.ok(
      client.api.GET("/task", { params: { query: { processInstanceBusinessKey: businessKey } } }),
    );
    assert.ok(task?.id, "the review task was not created");
    return { taskId: task.id, fields: await formFields(task.id) };
  };
  const formFields = async (taskId: string): Promise<string[]> => {
    const form = (await client.ok(
      client.api.GET("/task/{id}/deployed-form", { params: { path: { id: taskId } } }),
    )) as unknown as { id: string; components: Array<{ key: string }> };
    assert.equal(form.id, formKey);
    return form.components.map((c) => c.key);
  };

  before(() => {
    repo.write("processes/claim.bpmn", processXml(claim, { formRef: formKey }));
    repo.write("processes/forms/claim-review.form", formJson(formKey, ["amount"]));
    repo.commit("claim with its review form");
  });
  after(() => repo.dispose());

  it("plans the form beside the process that binds it", async () => {
    const { plan, rows } = await planRelease(base);
    assert.deepEqual(
      plan.resources.map((r) => [r.name, r.kind, r.status]),
      [
        ["claim.bpmn", "bpmn", "new"],
        ["forms/claim-review.form", "form", "new"],
      ],
    );
    assert.deepEqual(plan.resources[0]!.forms, ["forms/claim-review.form"]);
    const formRow = rows.find((r) => r.type === "form");
    assert.equal(formRow?.key, formKey);
    assert.match(formRow?.summary ?? "", /bound to processes\/claim\.bpmn/);
  });

  let firstTask = "";
  it("releases both in one deployment: the review task shows the form", async () => {
    const result = await release(base);
    assert.deepEqual(
      result.rows.map((r) => [r.type, r.status]),
      [
        ["process", "new"],
        ["form", "new"],
      ],
    );
    const task = await formOfNewTask();
    firstTask = task.taskId;
    assert.deepEqual(task.fields, ["amount"]);
    // Released again unchanged: nothing is deployed.
    const before = await deploymentCount();
    const again = await release(base);
    assert.equal(again.newVersions, 0);
    assert.equal(await deploymentCount(), before);
  });

  it("a changed form alone redeploys the process with it; older tasks keep their form", async () => {
    repo.write("processes/forms/claim-review.form", formJson(formKey, ["amount", "note"]));
    repo.commit("review form asks for a note");
    const { plan } = await planRelease(base);
    const status = Object.fromEntries(plan.resources.map((r) => [r.name, [r.status, r.summary]]));
    assert.equal(status["forms/claim-review.form"]![0], "changed");
    assert.match(String(status["forms/claim-review.form"]![1]), /fields added: note/);
    assert.deepEqual(status["claim.bpmn"], [
      "changed",
      "deployed with another version of the form forms/claim-review.form",
    ]);

    const previous = await latestDefinition(client, { type: "process", key: claim }, tenantId);
    const result = await release(base);
    const processRow = result.rows.find((r) => r.type === "process")!;
    assert.equal(processRow.status, "updated");
    assert.equal(processRow.newVersion, (previous?.version ?? 0) + 1);
    assert.deepEqual((await formOfNewTask()).fields, ["amount", "note"]);
    assert.deepEqual(
      await formFields(firstTask),
      ["amount"],
      "a task of version 1 keeps the form of version 1",
    );
  });

  it("a changed process alone is deployed with its unchanged form", async () => {
    repo.write("processes/claim.bpmn", processXml(claim, { formRef: formKey, taskName: "Review the claim" }));
    repo.commit("rename the review task");
    const { plan } = await planRelease(base);
    assert.deepEqual(
      plan.resources.map((r) => [r.name, r.status]),
      [
        ["claim.bpmn", "changed"],
        ["forms/claim-review.form", "unchanged"],
      ],
    );
    const result = await release(base);
    assert.deepEqual(
      result.rows.map((r) => [r.type, r.status]),
      [
        ["process", "updated"],
        ["form", "updated"],
      ],
      "the unchanged form is deployed again, into the new process version's deployment",
    );
    assert.deepEqual((await formOfNewTask()).fields, ["amount", "note"]);
  });

  it("refuses a process that binds a form no file defines, before anything is deployed", async () => {
    const repo2 = new TempRepo("release-forms-missing-");
    try {
      repo2.write("processes/claim.bpmn", processXml(uniqueKey("forms_orphan"), { formRef: "no-such-form" }));
      repo2.commit("orphan");
      const before = await deploymentCount();
      await assert.rejects(release({ ...base, repoRoot: repo2.root, lint: null }), (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.equal(
          error.message,
          'processes/claim.bpmn: Task_Review takes the form "no-such-form" from its own deployment, but no .form file of this release defines it; add the form under processes/ or fix the reference.',
        );
        return true;
      });
      assert.equal(await deploymentCount(), before);
    } finally {
      repo2.dispose();
    }
  });
});
