import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applicant, harness } from "../../support/handlers.js";

const person = {
  applicationId: applicant.applicationId,
  applicantName: applicant.applicantName,
  applicantEmail: applicant.applicantEmail,
};

describe("send-notification", () => {
  it("tells the applicant the policy number and premium", async () => {
    const h = harness();
    const result = await h.run("send-notification", {
      ...person,
      policyNumber: "MTR-26-ABCDEFGHJK",
      premium: 1234.5,
    });
    assert.deepEqual(result, {
      kind: "complete",
      variables: { notificationId: "policy-issued:APP-1:policy-issued" },
    });
    const [message] = await h.outbox();
    assert.equal(message?.kind, "policy-issued");
    assert.deepEqual(message?.to, { type: "applicant", name: "Ada Lovelace", email: "ada@example.org" });
    assert.match(message?.body ?? "", /MTR-26-ABCDEFGHJK/);
    assert.match(message?.body ?? "", /£1,234\.50/);
  });

  it("tells the applicant the rejection in words, not the code", async () => {
    const h = harness();
    await h.run("send-notification", { ...person, rejectionReason: "DOCUMENTS_NOT_RECEIVED" });
    const [message] = await h.outbox();
    assert.equal(message?.kind, "application-rejected");
    assert.match(message?.body ?? "", /did not receive the documents/);
    assert.doesNotMatch(message?.body ?? "", /DOCUMENTS_NOT_RECEIVED/);
  });

  it("sends once per application and outcome, however often the task runs", async () => {
    const h = harness();
    const variables = { ...person, policyNumber: "MTR-26-ABCDEFGHJK" };
    const results = await Promise.all([
      h.run("send-notification", variables, { taskId: "a" }),
      h.run("send-notification", variables, { taskId: "a" }),
      h.run("send-notification", variables, { taskId: "b" }),
    ]);
    assert.equal(new Set(results.map((r) => JSON.stringify(r))).size, 1);
    assert.equal((await h.outbox()).length, 1);
  });

  it("uses notificationType when the process sets it", async () => {
    const h = harness();
    const result = await h.run("send-notification", {
      ...person,
      notificationType: "APPLICATION_REJECTED",
      policyNumber: "",
      rejectionReason: "RISK_NOT_INSURABLE",
    });
    assert.equal(result.kind, "complete");
    assert.equal((await h.outbox())[0]?.kind, "application-rejected");
  });

  it("fails naming notificationType when it is not one it knows", async () => {
    const result = await harness().run("send-notification", {
      ...person,
      notificationType: "POLICY_CANCELLED",
    });
    assert.match(
      result.kind === "failure" ? result.message : "",
      /"notificationType" must be POLICY_ISSUED or APPLICATION_REJECTED/,
    );
  });

  it("fails without retries when the outcome cannot be told", async () => {
    const result = await harness().run("send-notification", person);
    assert.equal(result.kind, "failure");
    assert.equal(result.kind === "failure" && result.retryable, false);
    assert.match(result.kind === "failure" ? result.message : "", /policyNumber.*rejectionReason/);
  });

  it("fails naming applicantEmail when it is not an address", async () => {
    const result = await harness().run("send-notification", {
      ...person,
      applicantEmail: "nobody",
      policyNumber: "X",
    });
    assert.match(result.kind === "failure" ? result.message : "", /input variable "applicantEmail"/);
  });
});

describe("notify-supervisor", () => {
  const variables = { ...person, reviewGroup: "underwriters", riskGroup: "YELLOW" };

  it("escalates to the supervisors of the review group, once per escalation task", async () => {
    const h = harness();
    const first = await h.run("notify-supervisor", variables, { taskId: "esc-1" });
    await h.run("notify-supervisor", variables, { taskId: "esc-1" });
    assert.deepEqual(first, { kind: "complete", variables: { escalatedAt: "2026-03-14T09:30:00.000Z" } });
    const messages = await h.outbox();
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0]?.to, { type: "group", group: "underwriters-supervisors" });
    await h.run("notify-supervisor", variables, { taskId: "esc-2" });
    assert.equal((await h.outbox()).length, 2, "a later escalation is a new message");
  });

  it("fails naming reviewGroup when it is empty", async () => {
    const result = await harness().run("notify-supervisor", { ...variables, reviewGroup: "" });
    assert.match(result.kind === "failure" ? result.message : "", /input variable "reviewGroup"/);
  });
});

describe("request-documents and send-reminder", () => {
  for (const topic of ["request-documents", "send-reminder"]) {
    it(`${topic} lists the missing documents in words, once per task`, async () => {
      const h = harness();
      const variables = { ...person, missingDocuments: JSON.stringify(["VEHICLE_REGISTRATION"]) };
      const result = await h.run(topic, variables, { taskId: "t" });
      await h.run(topic, variables, { taskId: "t" });
      assert.equal(result.kind, "complete");
      const messages = await h.outbox();
      assert.equal(messages.length, 1);
      assert.match(messages[0]?.body ?? "", /vehicle registration certificate \(V5C\)/);
    });

    it(`${topic} accepts a Json list and fails naming missingDocuments when it is not a list`, async () => {
      const ok = await harness().run(topic, { ...person, missingDocuments: ["DRIVING_LICENCE"] });
      assert.equal(ok.kind, "complete");
      const bad = await harness().run(topic, { ...person, missingDocuments: 42 });
      assert.match(bad.kind === "failure" ? bad.message : "", /input variable "missingDocuments"/);
    });
  }
});

describe("request-documents after a rejected submission", () => {
  it("tells the applicant what the clerk found wrong", async () => {
    const h = harness();
    await h.run("request-documents", {
      ...person,
      missingDocuments: [],
      documentsComment: "The licence scan is cut off.",
    });
    const [message] = await h.outbox();
    assert.match(
      message?.body ?? "",
      /could not accept the documents you sent:\n {2}The licence scan is cut off\./,
    );
    assert.match(message?.body ?? "", /the documents you sent before/);
  });
});
