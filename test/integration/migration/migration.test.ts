/**
 * Migration of running instances on the real engine, with the project's own models (insurance_process
 * calling document_request) in a tenant of their own. Instances wait at a user task (the review), an
 * external task (premium), a timer (the document reminder after an event-based gateway) and inside the
 * called document request. Three releases follow:
 *   1. a change that keeps every id: the instances move on their own (the reminder timer recomputed
 *      because processes/migrations/document_request.yaml asks for it), then continue and complete;
 *   2. a renamed review task: the plan says the instances cannot move until
 *      processes/migrations/insurance_process.yaml maps the old id; then they move, keep the overdue
 *      timer, and complete on the new version;
 *   3. the document request call activity becomes an external task: the plan says the waiting
 *      instance cannot move; with policy required the release is refused before it deploys, with
 *      policy covered it deploys and leaves every instance of that version where it is (none moved
 *      half-way, no batch started).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ReleaseTarget } from "#core/release/plan.js";
import { planRelease, release } from "#core/release/release.js";
import { formatPlanText, formatReleaseText } from "#core/release/report.js";
import { ApplicationCase } from "../../../processes/tests/support/actors.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { isolatedTarget, projectLint, quietSteps, TempRepo } from "../release/support.js";
import {
  bool,
  childOf,
  definitionOf,
  edit,
  finished,
  json,
  latestId,
  model,
  num,
  startAt,
  str,
  versionOf,
} from "./support.js";

const DAY = 24 * 3600 * 1000;

describe("migration of running instances on release", () => {
  const { client } = testEngine();
  const covered: ReleaseTarget = { ...isolatedTarget("migration"), migration: "covered" };
  const tenantId = covered.tenantId!;
  const repo = new TempRepo("migration-repo-");
  const base = { client, target: covered, repoRoot: repo.root, step: quietSteps, lint: projectLint };
  const cases = new Map<string, ApplicationCase>();
  const ids = new Map<string, string>();
  const kase = (name: string) => {
    let found = cases.get(name);
    if (!found) {
      found = new ApplicationCase(client, tenantId, uniqueId(`MIG-${name}`));
      cases.set(name, found);
    }
    return found;
  };
  const onVersion = async (name: string) => versionOf(await definitionOf(client, ids.get(name)!));
  const historicBatches = async () =>
    (await client.ok(client.api.GET("/history/batch/count", { params: { query: { tenantIdIn: tenantId } } })))
      .count ?? 0;
  const reminderDue = async (processInstanceId: string) => {
    const [job] = await client.ok(
      client.api.GET("/job", { params: { query: { processInstanceId, activityId: "Event_ReminderDue" } } }),
    );
    assert.ok(job?.dueDate, "the reminder timer has a job");
    return new Date(job.dueDate).getTime();
  };

  before(async () => {
    for (const file of [
      "insurance_process.bpmn",
      "document_request.bpmn",
      "risk_rating.dmn",
      "review-application.form",
    ]) {
      repo.write(`processes/${file}`, model(file));
    }
    repo.commit("version 1");
    assert.equal((await release(base)).newVersions, 4, "three models and the review form");
    const insurance = await latestId(client, "insurance_process", tenantId);
    const documents = await latestId(client, "document_request", tenantId);
    const application = (name: string) => ({ applicationId: str(kase(name).businessKey) });
    // A: the underwriter's review (a user task with an overdue timer on it).
    ids.set(
      "A",
      await startAt(client, insurance, "Task_ReviewApplication", kase("A").businessKey, {
        ...application("A"),
        reviewGroup: str("underwriters"),
      }),
    );
    // B: the premium calculation (an external task).
    ids.set(
      "B",
      await startAt(client, insurance, "Task_CalculatePremium", kase("B").businessKey, {
        ...application("B"),
        riskGroup: str("GREEN"),
      }),
    );
    // C: a document request waiting for the applicant or the reminder timer.
    ids.set(
      "C",
      await startAt(client, documents, "Gateway_WaitForDocuments", kase("C").businessKey, {
        ...application("C"),
        missingDocuments: json(["DRIVING_LICENCE"]),
      }),
    );
    // D: an application inside its called document request (waiting at the request's external task).
    ids.set(
      "D",
      await startAt(client, insurance, "CallActivity_RequestDocuments", kase("D").businessKey, {
        ...application("D"),
        missingDocuments: json(["PROOF_OF_ADDRESS"]),
      }),
    );
    ids.set("D'", await childOf(client, ids.get("D")!));
    for (const name of ["A", "B", "C", "D", "D'"]) assert.equal(await onVersion(name), 1, name);
  });
  after(() => repo.dispose());

  it("1. a change that keeps the ids: planned, moved automatically, timer recomputed where declared", async () => {
    repo.write(
      "processes/insurance_process.bpmn",
      edit(model("insurance_process.bpmn"), 'name="Review application"', 'name="Review the application"'),
    );
    repo.write("processes/document_request.bpmn", edit(model("document_request.bpmn"), "'P7D'", "'P5D'"));
    repo.write("processes/migrations/document_request.yaml", "updateEventTriggers:\n  - Event_ReminderDue\n");
    repo.commit("version 2: review title, reminder after 5 days");
    const dueBefore = await reminderDue(ids.get("C")!);

    const { plan, rows } = await planRelease(base);
    const section = plan.migration!;
    assert.equal(section.policy, "covered");
    const byKey = new Map(section.processes.map((p) => [p.key, p]));
    const insurance = byKey.get("insurance_process")!.sources;
    assert.deepEqual(
      insurance.map((s) => [s.version, s.instances, s.action]),
      [[1, 3, "migrate"]],
    );
    assert.deepEqual(
      insurance[0]!.activities.map((a) => [a.id, a.instances, a.mappedTo]),
      [
        ["CallActivity_RequestDocuments", 1, "CallActivity_RequestDocuments"],
        ["Task_CalculatePremium", 1, "Task_CalculatePremium"],
        ["Task_ReviewApplication", 1, "Task_ReviewApplication"],
      ],
    );
    const documents = byKey.get("document_request")!.sources;
    assert.deepEqual(
      documents[0]!.activities.map((a) => [a.id, a.mappedTo]),
      [
        ["Gateway_WaitForDocuments", "Gateway_WaitForDocuments"],
        ["Task_RequestDocuments", "Task_RequestDocuments"],
      ],
    );
    assert.deepEqual(documents[0]!.warnings, [], "the changed timer is declared, so no warning");
    const text = formatPlanText(plan, rows);
    assert.match(text, /insurance_process version 1: 3 instance\(s\) move to the new version — /);

    const result = await release(base);
    assert.deepEqual(
      result.migrations.map((m) => [m.key, m.sourceVersion, m.status, m.migrated, m.instances]).sort(),
      [
        ["document_request", 1, "migrated", 2, 2],
        ["insurance_process", 1, "migrated", 3, 3],
      ],
    );
    assert.match(
      formatReleaseText(result),
      /migration migrated: insurance_process version 1 → insurance_process:2:/,
    );
    for (const name of ["A", "B", "C", "D", "D'"]) assert.equal(await onVersion(name), 2, name);
    // The reminder was due 7 days after C started; recomputed on migration, it is due 5 days from now.
    const dueAfter = await reminderDue(ids.get("C")!);
    assert.ok(Math.abs(dueBefore - (Date.now() + 7 * DAY)) < 3600_000, "before: 7 days");
    assert.ok(Math.abs(dueAfter - (Date.now() + 5 * DAY)) < 3600_000, "after: 5 days from the migration");
  });

  it("…and the moved instances continue and complete on version 2", async () => {
    const b = kase("B");
    b.processInstanceId = ids.get("B")!;
    const premium = await b.work("calculate-premium", { premium: num(612.5) });
    assert.equal(versionOf(await definitionOf(client, premium.processInstanceId)), 2);
    await b.work("issue-policy", { policyNumber: str("POL-MIG-1") });
    await b.work("send-notification");
    const endedB = await finished(client, ids.get("B")!);
    assert.deepEqual(
      [endedB.state, versionOf(endedB.definitionId), endedB.end],
      ["COMPLETED", 2, "EndEvent_PolicyIssued"],
    );

    const c = kase("C");
    c.processInstanceId = ids.get("C")!;
    await c.sendDocuments({ documents: json([{ type: "DRIVING_LICENCE" }]) });
    await c.completeTask("Task_CheckDocuments", { documentsAccepted: bool(true) });
    const endedC = await finished(client, ids.get("C")!);
    assert.deepEqual(
      [endedC.state, versionOf(endedC.definitionId), endedC.end],
      ["COMPLETED", 2, "EndEvent_DocumentsAccepted"],
    );
  });

  it("2. a renamed task: the plan says where instances cannot go, the declared mapping moves them", async () => {
    const renamed = edit(
      edit(model("insurance_process.bpmn"), 'name="Review application"', 'name="Review the application"'),
      "Task_ReviewApplication",
      "Task_UnderwriterReview",
    );
    repo.write("processes/insurance_process.bpmn", renamed);
    repo.commit("version 3: the review task renamed");

    const undeclared = (await planRelease(base)).plan.migration!.processes.find(
      (p) => p.key === "insurance_process",
    )!;
    const [v2] = undeclared.sources;
    assert.deepEqual([v2!.version, v2!.instances, v2!.action, v2!.stranded], [2, 2, "leave", true]);
    const review = v2!.activities.find((a) => a.id === "Task_ReviewApplication")!;
    assert.equal(review.mappedTo, null);
    assert.match(
      review.problem ?? "",
      /Task_ReviewApplication "Review the application" is not in the new version \(removed or renamed\): declare where its instances go under activities in processes\/migrations\/insurance_process\.yaml/,
    );
    // The call activity could move, but a version moves whole or not at all.
    assert.equal(v2!.activities.find((a) => a.id === "CallActivity_RequestDocuments")!.problem, null);

    repo.write(
      "processes/migrations/insurance_process.yaml",
      "# The review task was renamed in version 3.\nactivities:\n  Task_ReviewApplication: Task_UnderwriterReview\n",
    );
    repo.commit("declare the rename");
    const declared = (await planRelease(base)).plan.migration!.processes.find(
      (p) => p.key === "insurance_process",
    )!;
    assert.equal(declared.instructionsFile, "processes/migrations/insurance_process.yaml");
    assert.equal(declared.sources[0]!.action, "migrate");
    assert.equal(
      declared.sources[0]!.activities.find((a) => a.id === "Task_ReviewApplication")!.mappedTo,
      "Task_UnderwriterReview",
    );

    const result = await release(base);
    assert.deepEqual(
      result.migrations.map((m) => [m.key, m.sourceVersion, m.status, m.migrated]),
      [["insurance_process", 2, "migrated", 2]],
    );
    assert.equal(await onVersion("A"), 3);
    assert.equal(await onVersion("D"), 3);
    assert.equal(
      await onVersion("D'"),
      2,
      "the called request was not changed, so it stays on its latest version",
    );
    const [task] = await client.ok(
      client.api.GET("/task", { params: { query: { processInstanceId: ids.get("A")! } } }),
    );
    assert.equal(task?.taskDefinitionKey, "Task_UnderwriterReview");
    // The overdue timer hangs on the renamed task; it moved with it.
    const timers = await client.ok(
      client.api.GET("/job", {
        params: { query: { processInstanceId: ids.get("A")!, activityId: "BoundaryEvent_ReviewOverdue" } },
      }),
    );
    assert.equal(timers.length, 1);

    const a = kase("A");
    a.processInstanceId = ids.get("A")!;
    await a.completeTask("Task_UnderwriterReview", { approved: bool(true), reviewComment: str("fine") });
    await a.work("issue-policy", { policyNumber: str("POL-MIG-2") });
    await a.work("send-notification");
    const endedA = await finished(client, ids.get("A")!);
    assert.deepEqual(
      [endedA.state, versionOf(endedA.definitionId), endedA.end],
      ["COMPLETED", 3, "EndEvent_PolicyIssued"],
    );
  });

  it("3. a change that cannot migrate: refused under policy required, left whole under covered", async () => {
    const v3 = await latestId(client, "insurance_process", tenantId);
    ids.set(
      "F",
      await startAt(client, v3, "Task_UnderwriterReview", kase("F").businessKey, {
        applicationId: str(kase("F").businessKey),
        reviewGroup: str("underwriters"),
      }),
    );
    const current = edit(
      edit(model("insurance_process.bpmn"), 'name="Review application"', 'name="Review the application"'),
      "Task_ReviewApplication",
      "Task_UnderwriterReview",
    );
    const external = edit(
      edit(
        current.replace(
          /(<bpmn:callActivity id="CallActivity_RequestDocuments"[^>]*>[\s\S]*?)<bpmn:extensionElements>[\s\S]*?<\/bpmn:extensionElements>/,
          "$1",
        ),
        '<bpmn:callActivity id="CallActivity_RequestDocuments" name="Request documents" calledElement="document_request">',
        '<bpmn:serviceTask id="CallActivity_RequestDocuments" name="Request documents" camunda:type="external" camunda:topic="request-documents">',
      ),
      "</bpmn:callActivity>",
      "</bpmn:serviceTask>",
    );
    repo.write("processes/insurance_process.bpmn", external);
    repo.commit("version 4: documents requested by a worker, no called process");

    const { plan, rows } = await planRelease(base);
    const v3plan = plan.migration!.processes.find((p) => p.key === "insurance_process")!.sources[0]!;
    assert.deepEqual(
      [v3plan.version, v3plan.instances, v3plan.action, v3plan.stranded],
      [3, 2, "leave", true],
    );
    assert.match(
      v3plan.reasons.join("\n"),
      /1 waiting in CallActivity_RequestDocuments: CallActivity_RequestDocuments "Request documents" is a call activity and CallActivity_RequestDocuments in the new version an external task: the engine moves instances only between activities of the same kind/,
    );
    assert.match(
      formatPlanText(plan, rows),
      /insurance_process version 3: 2 instance\(s\) stay on version 3: /,
    );

    const deployments = async () =>
      (await client.ok(client.api.GET("/deployment/count", { params: { query: { tenantIdIn: tenantId } } })))
        .count ?? 0;
    const deploymentsBefore = await deployments();
    const batchesBefore = await historicBatches();
    await assert.rejects(
      release({ ...base, target: { ...covered, migration: "required" } }),
      (error: Error & { details?: string[] }) => {
        assert.match(
          error.message,
          /would leave running instances behind, and its migration policy is required; nothing was deployed/,
        );
        assert.match(error.details?.[0] ?? "", /^insurance_process version 3: 2 instance\(s\) cannot move/);
        return true;
      },
    );
    assert.equal(await deployments(), deploymentsBefore, "refused before anything was deployed");

    const result = await release(base);
    assert.equal(result.rows.find((r) => r.key === "insurance_process")?.newVersion, 4);
    assert.deepEqual(result.migrations, [], "nothing was started for the version that cannot move");
    assert.equal(await historicBatches(), batchesBefore, "no migration batch");
    assert.equal(await onVersion("D"), 3, "the instance that cannot move stays");
    assert.equal(await onVersion("F"), 3, "and so does the one that could: never half a version");
  });

  it("4. the instance inside the called document request completes on its new version; its parent goes on", async () => {
    const d = kase("D");
    d.processInstanceId = ids.get("D")!;
    const request = await d.work("request-documents");
    assert.equal(request.processInstanceId, ids.get("D'"));
    await d.sendDocuments({ documents: json([{ type: "PROOF_OF_ADDRESS" }]) });
    await d.completeTask("Task_CheckDocuments", { documentsAccepted: bool(true) });
    const ended = await finished(client, ids.get("D'")!);
    assert.deepEqual(
      [ended.state, versionOf(ended.definitionId), ended.end],
      ["COMPLETED", 2, "EndEvent_DocumentsAccepted"],
    );
    const callActivity = await client.ok(
      client.api.GET("/history/activity-instance", {
        params: { query: { processInstanceId: ids.get("D")!, activityId: "CallActivity_RequestDocuments" } },
      }),
    );
    assert.ok(
      callActivity.length === 1 && callActivity[0]!.endTime,
      "the application left the call activity",
    );
    assert.equal(await onVersion("D"), 3, "on the version it stayed on");
  });
});
