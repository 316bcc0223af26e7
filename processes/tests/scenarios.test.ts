/**
 * Every path through insurance_process and document_request, end to end on the real engine. The test
 * plays the workers, the underwriter, the clerk and the applicant (support/actors.ts); timers are made
 * short through the timeout variables. Each scenario checks the path from history and the final
 * variables; afterwards the coverage of both processes is computed from the same history, printed,
 * and written to processes/tests/COVERAGE.md.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { testEngine, uniqueId } from "../../test/support/engine.js";
import {
  type ActivityRecord,
  ApplicationCase,
  activityHistory,
  type StartPayload,
} from "./support/actors.js";
import {
  computeCoverage,
  coverageMarkdown,
  type ProcessCoverage,
  ratio,
  summaryLines,
} from "./support/coverage.js";
import { deployModels, type ModelDeployment } from "./support/deployment.js";
import { type ProcessGraph, processesDir, readProcessGraphs } from "./support/models.js";
import { boolean, double, json, string, type Variables } from "./support/values.js";

const both = ["DRIVING_LICENCE", "VEHICLE_REGISTRATION"];

// Paths through insurance_process, in history order.
const received = [
  "StartEvent_ApplicationReceived",
  "Gateway_ApplicationToValidate",
  "Task_ValidateApplication",
  "Gateway_ApplicationComplete",
];
const revalidated = [
  "CallActivity_RequestDocuments",
  "Gateway_ApplicationToValidate",
  "Task_ValidateApplication",
  "Gateway_ApplicationComplete",
];
const rated = ["DetermineRiskgroup", "Task_CalculatePremium", "Gateway_RiskGroup"];
const reviewed = ["Task_ReviewApplication", "Gateway_Approved"];
const issued = [
  "Gateway_PolicyToIssue",
  "Task_IssuePolicy",
  "Task_SendPolicyNotification",
  "EndEvent_PolicyIssued",
];
const rejected = [
  "Gateway_ApplicationToReject",
  "Task_RejectApplication",
  "Task_SendRejectionNotification",
  "EndEvent_ApplicationRejected",
];

// Pieces of document_request.
const requested = [
  "StartEvent_DocumentsNeeded",
  "Gateway_DocumentsToRequest",
  "Task_RequestDocuments",
  "Gateway_WaitForDocuments",
];
const rerequested = ["Gateway_DocumentsToRequest", "Task_RequestDocuments", "Gateway_WaitForDocuments"];
const checked = ["Gateway_DocumentsToCheck", "Task_CheckDocuments", "Gateway_DocumentsAccepted"];
const reminded = ["Event_ReminderDue", "Task_SendReminder", "Gateway_WaitAfterReminder"];

/** The example payload of a path, with a fresh business key so scenarios and runs never collide. */
function examplePayload(
  example: "green" | "yellow" | "red" | "incomplete",
  extra: Variables = {},
): StartPayload {
  const payload = JSON.parse(
    readFileSync(path.join(processesDir, "examples", `${example}.json`), "utf8"),
  ) as StartPayload;
  const businessKey = uniqueId(`APP-${example}`);
  return { businessKey, variables: { ...payload.variables, applicationId: string(businessKey), ...extra } };
}

const complete = { applicationComplete: boolean(true), missingDocuments: json([]) };
const incomplete = { applicationComplete: boolean(false), missingDocuments: json(["VEHICLE_REGISTRATION"]) };

/** The part of processes/review-application.form the scenarios read. */
interface ReviewForm {
  id: string;
  components: Array<{ key?: string; disabled?: boolean }>;
}

let deployment: ModelDeployment;
const cases: ApplicationCase[] = [];
const scenarioNames: string[] = [];
let scenarioFailures = 0;

async function newCase(payload: StartPayload): Promise<ApplicationCase> {
  const { client } = testEngine();
  const application = new ApplicationCase(client, deployment.tenantId, payload.businessKey);
  cases.push(application);
  await application.start(payload.variables);
  return application;
}

/** validate (complete) → decision → calculate-premium; returns what the premium worker was given. */
async function rateAndPrice(application: ApplicationCase, premium: number): Promise<Record<string, unknown>> {
  const pricing = await application.work("calculate-premium", { premium: double(premium) });
  return pricing.variables;
}

async function issuePolicy(application: ApplicationCase): Promise<void> {
  await application.work("issue-policy", { policyNumber: string(`POL-${application.businessKey}`) });
  const notification = await application.work("send-notification");
  assert.equal(notification.activityId, "Task_SendPolicyNotification");
  assert.equal(notification.variables.notificationType, "POLICY_ISSUED");
  assert.ok(notification.variables.policyNumber, "the policy notification sees the policy number");
}

async function reject(application: ApplicationCase, reason: string): Promise<Record<string, unknown>> {
  const rejection = await application.work("reject-application", { rejectionReason: string(reason) });
  const notification = await application.work("send-notification");
  assert.equal(notification.activityId, "Task_SendRejectionNotification");
  assert.equal(notification.variables.notificationType, "APPLICATION_REJECTED");
  assert.equal(notification.variables.rejectionReason, reason);
  return rejection.variables;
}

/** The documents part shared by the incomplete scenarios: request, applicant answers, clerk decides. */
async function documentsArrive(application: ApplicationCase, accepted: boolean, comment?: string) {
  await application.sendDocuments({ documents: json(both) });
  const check = await application.completeTask("Task_CheckDocuments", {
    documentsAccepted: boolean(accepted),
    ...(comment ? { documentsComment: string(comment) } : {}),
  });
  assert.deepEqual(check.candidateGroups, ["clerks"]);
  assert.deepEqual(check.variables.documents, both, "the clerk sees the documents the applicant sent");
}

before(async () => {
  const { client, logFile } = testEngine();
  deployment = await deployModels(client, uniqueId("scenarios"), logFile);
});

describe("insurance_process scenarios", { concurrency: true }, () => {
  const scenario = (name: string, body: () => Promise<void>) => {
    scenarioNames.push(name);
    it(name, async () => {
      try {
        await body();
      } catch (error) {
        scenarioFailures++;
        throw error;
      }
    });
  };

  it("the three models deploy together and the engine logs no warning about them", () => {
    assert.deepEqual(Object.keys(deployment.processDefinitionIds).sort(), [
      "document_request",
      "insurance_process",
    ]);
    assert.deepEqual(Object.keys(deployment.decisionDefinitionIds), ["risk_rating"]);
    assert.deepEqual(deployment.logProblems, []);
  });

  scenario("GREEN: complete application, standard risk, policy issued", async () => {
    const application = await newCase(examplePayload("green"));
    const validation = await application.work("validate-application", complete);
    assert.deepEqual(validation.variables.documents, both);
    assert.equal(validation.variables.applicantAge, 40);
    const pricing = await rateAndPrice(application, 820.5);
    assert.equal(pricing.riskGroup, "GREEN");
    assert.equal(pricing.premiumFactor, 1.0);
    await issuePolicy(application);
    await application.waitUntilCompleted();

    assert.deepEqual(await application.path(), [...received, ...rated, ...issued]);
    const { values, types } = await application.finalVariables();
    assert.equal(values.riskGroup, "GREEN");
    assert.equal(values.premiumFactor, 1.0);
    assert.equal(types.premiumFactor, "Double");
    assert.equal(values.reviewGroup, "");
    assert.equal(values.premium, 820.5);
    assert.equal(values.policyNumber, `POL-${application.businessKey}`);
    assert.equal(values.applicationComplete, true);
    assert.deepEqual(values.missingDocuments, []);
    assert.equal(values.rejectionReason, undefined);
    assert.equal(values.approved, undefined);
  });

  scenario("YELLOW approved: an underwriter approves, policy issued", async () => {
    const application = await newCase(examplePayload("yellow"));
    await application.work("validate-application", complete);
    const pricing = await rateAndPrice(application, 1310);
    assert.equal(pricing.riskGroup, "YELLOW");
    assert.equal(pricing.premiumFactor, 1.6);
    const review = await application.completeTask("Task_ReviewApplication", {
      approved: boolean(true),
      reviewComment: string("young driver, clean record"),
    });
    assert.deepEqual(review.candidateGroups, ["underwriters"]);
    assert.equal(review.variables.premium, 1310);
    assert.equal(review.variables.riskReason, "3. Young drivers (under 25) are reviewed by underwriters.");
    await issuePolicy(application);
    await application.waitUntilCompleted();

    assert.deepEqual(await application.path(), [...received, ...rated, ...reviewed, ...issued]);
    const { values } = await application.finalVariables();
    assert.equal(values.riskGroup, "YELLOW");
    assert.equal(values.reviewGroup, "underwriters");
    assert.equal(values.approved, true);
    assert.equal(values.reviewComment, "young driver, clean record");
    assert.equal(values.policyNumber, `POL-${application.businessKey}`);
    assert.equal(values.rejectionReason, undefined);
  });

  scenario(
    "YELLOW rejected: an underwriter declines through the review form, application rejected",
    async () => {
      const application = await newCase(examplePayload("yellow"));
      await application.work("validate-application", complete);
      await rateAndPrice(application, 1310);
      const { client } = testEngine();
      const taskId = await application.openTask("Task_ReviewApplication");
      const path = { params: { path: { id: taskId } } };

      // The form Tasklist renders: the Camunda Form deployed with this process version.
      const form = await client.ok(client.api.GET("/task/{id}/form", path));
      assert.deepEqual(form.camundaFormRef, {
        key: "review-application",
        binding: "deployment",
        version: null,
      });
      const schema = (await client.ok(
        client.api.GET("/task/{id}/deployed-form", path),
      )) as unknown as ReviewForm;
      assert.equal(schema.id, "review-application");
      const shown = schema.components.filter((c) => c.key && c.disabled).map((c) => c.key!);
      const asked = schema.components.filter((c) => c.key && !c.disabled).map((c) => c.key!);
      assert.deepEqual(asked, ["approved", "reviewComment"]);
      // What the form shows comes from the task's form variables: the application, read-only.
      const data = await client.ok(
        client.api.GET("/task/{id}/form-variables", { params: { path: { id: taskId }, query: {} } }),
      );
      for (const key of shown)
        assert.ok(key in data, `the form shows ${key}, which the task does not provide`);
      assert.equal(data.applicationId?.value, application.businessKey, "the form shows the business key");
      assert.equal(data.riskGroup?.value, "YELLOW");
      assert.equal(data.riskReason?.value, "3. Young drivers (under 25) are reviewed by underwriters.");
      assert.equal(data.premiumFactor?.value, 1.6);
      assert.equal(data.premium?.value, 1310);
      assert.equal(data.approved, undefined, "no decision is preset");

      // The decision is explicit and a decline needs a reason, whatever client submits the form.
      const refused = async (variables: Variables, because: RegExp) => {
        const answer = await client.api.POST("/task/{id}/submit-form", { ...path, body: { variables } });
        assert.equal(answer.response.status, 500, JSON.stringify(answer.error));
        assert.match(JSON.stringify(answer.error), because);
      };
      await refused({}, /Cannot resolve identifier 'approved'/);
      await refused({ approved: boolean(false) }, /Cannot resolve identifier 'reviewComment'/);
      await refused({ approved: boolean(false), reviewComment: string("") }, /ENGINE-02004/);
      assert.equal(await application.openTask("Task_ReviewApplication"), taskId, "the review is still open");

      // As Tasklist submits a Camunda Form: untyped values, typed by the engine.
      await client.ok(
        client.api.POST("/task/{id}/submit-form", {
          ...path,
          body: { variables: { approved: { value: false }, reviewComment: { value: "too many claims" } } },
        }),
      );
      const rejection = await reject(application, "Declined by underwriting: too many claims");
      assert.equal(rejection.approved, false, "the rejection worker can tell a declined review");
      assert.equal(rejection.applicationComplete, true);
      await application.waitUntilCompleted();

      assert.deepEqual(await application.path(), [...received, ...rated, ...reviewed, ...rejected]);
      const { values, types } = await application.finalVariables();
      assert.equal(values.approved, false);
      assert.equal(types.approved, "Boolean");
      assert.equal(values.reviewComment, "too many claims");
      assert.equal(values.rejectionReason, "Declined by underwriting: too many claims");
      assert.equal(values.policyNumber, undefined);
    },
  );

  scenario(
    "YELLOW escalated: the review runs late, the supervisor is told, then it is approved",
    async () => {
      const application = await newCase(examplePayload("yellow", { reviewTimeout: string("PT1S") }));
      await application.work("validate-application", complete);
      await rateAndPrice(application, 1310);
      const escalation = await application.work("notify-supervisor");
      assert.equal(escalation.variables.reviewGroup, "underwriters");
      assert.equal(escalation.variables.applicationId, application.businessKey);
      // Non-interrupting: the review is still open after the escalation.
      await application.completeTask("Task_ReviewApplication", { approved: boolean(true) });
      await issuePolicy(application);
      await application.waitUntilCompleted();

      assert.deepEqual(await application.path(), [
        ...received,
        ...rated,
        "Task_ReviewApplication",
        "BoundaryEvent_ReviewOverdue",
        "Task_NotifySupervisor",
        "EndEvent_SupervisorNotified",
        "Gateway_Approved",
        ...issued,
      ]);
      const { values } = await application.finalVariables();
      assert.equal(values.approved, true);
      assert.equal(values.policyNumber, `POL-${application.businessKey}`);
    },
  );

  scenario("RED: a young driver in a sports car is rejected without review", async () => {
    const application = await newCase(examplePayload("red"));
    await application.work("validate-application", complete);
    const pricing = await rateAndPrice(application, 0);
    assert.equal(pricing.riskGroup, "RED");
    const rejection = await reject(application, "Risk group RED");
    assert.equal(rejection.riskGroup, "RED");
    await application.waitUntilCompleted();

    assert.deepEqual(await application.path(), [...received, ...rated, ...rejected]);
    const { values, types } = await application.finalVariables();
    assert.equal(values.riskGroup, "RED");
    assert.equal(values.premiumFactor, 0);
    assert.equal(types.premiumFactor, "Double");
    assert.equal(values.reviewGroup, "");
    assert.equal(values.rejectionReason, "Risk group RED");
    assert.equal(values.approved, undefined);
  });

  scenario("incomplete → documents received → accepted: validated again, policy issued", async () => {
    const application = await newCase(examplePayload("incomplete"));
    await application.work("validate-application", incomplete);
    const request = await application.work("request-documents");
    assert.equal(request.processDefinitionKey, "document_request");
    assert.deepEqual(request.variables.missingDocuments, ["VEHICLE_REGISTRATION"]);
    assert.equal(request.variables.applicantEmail, "ahmed.khan@example.com");
    assert.equal(request.variables.applicationId, application.businessKey);
    await documentsArrive(application, true);
    const revalidation = await application.work("validate-application", complete);
    assert.equal(revalidation.processDefinitionKey, "insurance_process");
    assert.deepEqual(revalidation.variables.documents, both, "the documents received reach the application");
    await rateAndPrice(application, 640);
    await issuePolicy(application);
    await application.waitUntilCompleted();

    assert.deepEqual(await application.path(), [...received, ...revalidated, ...rated, ...issued]);
    const [request1] = await application.documentRequests();
    assert.ok(request1);
    assert.deepEqual(await application.path(request1), [
      ...requested,
      "Event_DocumentsReceived",
      ...checked,
      "EndEvent_DocumentsAccepted",
    ]);
    const { values } = await application.finalVariables();
    assert.deepEqual(values.documents, both);
    assert.equal(values.applicationComplete, true);
    assert.equal(values.policyNumber, `POL-${application.businessKey}`);
    assert.equal(values.documentsAccepted, undefined, "the clerk's decision stays in the document request");
  });

  scenario("incomplete → documents rejected, requested again, then accepted: policy issued", async () => {
    const application = await newCase(examplePayload("incomplete"));
    await application.work("validate-application", incomplete);
    await application.work("request-documents");
    await documentsArrive(application, false, "registration is unreadable");
    const again = await application.work("request-documents");
    assert.equal(again.variables.documentsComment, "registration is unreadable");
    await documentsArrive(application, true);
    await application.work("validate-application", complete);
    await rateAndPrice(application, 640);
    await issuePolicy(application);
    await application.waitUntilCompleted();

    assert.deepEqual(await application.path(), [...received, ...revalidated, ...rated, ...issued]);
    const requests = await application.documentRequests();
    assert.equal(requests.length, 1, "one document request, which asks twice");
    assert.deepEqual(await application.path(requests[0]), [
      ...requested,
      "Event_DocumentsReceived",
      ...checked,
      ...rerequested,
      "Event_DocumentsReceived",
      ...checked,
      "EndEvent_DocumentsAccepted",
    ]);
    const { values } = await application.finalVariables();
    assert.equal(values.policyNumber, `POL-${application.businessKey}`);
  });

  scenario(
    "incomplete → reminder → documents received after the reminder → accepted: policy issued",
    async () => {
      const application = await newCase(
        examplePayload("incomplete", { documentTimeout: string("PT1S"), reminderTimeout: string("PT1H") }),
      );
      await application.work("validate-application", incomplete);
      await application.work("request-documents");
      const reminder = await application.work("send-reminder");
      assert.deepEqual(reminder.variables.missingDocuments, ["VEHICLE_REGISTRATION"]);
      await documentsArrive(application, true);
      await application.work("validate-application", complete);
      await rateAndPrice(application, 640);
      await issuePolicy(application);
      await application.waitUntilCompleted();

      assert.deepEqual(await application.path(), [...received, ...revalidated, ...rated, ...issued]);
      const [request1] = await application.documentRequests();
      assert.deepEqual(await application.path(request1), [
        ...requested,
        ...reminded,
        "Event_DocumentsReceivedAfterReminder",
        ...checked,
        "EndEvent_DocumentsAccepted",
      ]);
    },
  );

  scenario("incomplete → no documents after reminder and deadline → rejected", async () => {
    const application = await newCase(
      examplePayload("incomplete", { documentTimeout: string("PT1S"), reminderTimeout: string("PT1S") }),
    );
    await application.work("validate-application", incomplete);
    await application.work("request-documents");
    await application.work("send-reminder");
    const rejection = await reject(application, "Documents not received");
    assert.equal(rejection.applicationComplete, false, "the rejection worker can tell missing documents");
    await application.waitUntilCompleted();

    assert.deepEqual(await application.path(), [
      ...received,
      "CallActivity_RequestDocuments",
      "BoundaryEvent_DocumentsNotReceived",
      ...rejected,
    ]);
    const [request1] = await application.documentRequests();
    assert.deepEqual(await application.path(request1), [
      ...requested,
      ...reminded,
      "Event_DeadlinePassed",
      "EndEvent_DocumentsNotReceived",
    ]);
    const { values } = await application.finalVariables();
    assert.equal(values.applicationComplete, false);
    assert.equal(values.rejectionReason, "Documents not received");
    assert.equal(values.riskGroup, undefined, "no risk rating without complete documents");
  });
});

/** Elements the scenarios cannot reach, with the reason (none today). */
const uncoveredReasons: Record<string, string> = {};

describe("coverage of the process models by the scenarios", () => {
  let coverage: ProcessCoverage[] = [];

  before(async () => {
    const { client } = testEngine();
    const graphs: ProcessGraph[] = [
      ...(await readProcessGraphs("insurance_process.bpmn")),
      ...(await readProcessGraphs("document_request.bpmn")),
    ];
    const histories: ActivityRecord[][] = [];
    for (const application of cases) {
      for (const id of application.instanceIds) if (id) histories.push(await activityHistory(client, id));
    }
    coverage = graphs.map((graph) => computeCoverage(graph, histories));
    for (const line of summaryLines(coverage)) console.log(`coverage ${line}`);
  });

  it("raised no incident on the way (a failing decision or expression would)", async () => {
    const { client } = testEngine();
    const incidents = await client.ok(
      client.api.GET("/incident", { params: { query: { tenantIdIn: deployment.tenantId } } }),
    );
    assert.deepEqual(
      incidents.map((incident) => `${incident.activityId}: ${incident.incidentMessage}`),
      [],
    );
  });

  it("reaches every flow node and sequence flow, or says why not", () => {
    const missing = coverage.flatMap((process) =>
      [...process.flowNodes, ...process.sequenceFlows]
        .filter((element) => !element.covered && !uncoveredReasons[element.id])
        .map((element) => `${process.processId}/${element.id}`),
    );
    assert.deepEqual(missing, []);
    for (const process of coverage) {
      assert.ok(ratio(process.flowNodes).total > 0);
    }
  });

  after(() => {
    // Only a run where every scenario passed describes the models; a partial run would understate them.
    if (scenarioFailures > 0 || cases.length !== scenarioNames.length) return;
    writeFileSync(
      path.join(processesDir, "tests", "COVERAGE.md"),
      coverageMarkdown(coverage, scenarioNames, uncoveredReasons),
    );
  });
});
