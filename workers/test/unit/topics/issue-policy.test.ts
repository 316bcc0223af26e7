import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Policy } from "#workers/ports/policy-store.js";
import { harness } from "../../support/handlers.js";

const accepted = {
  applicationId: "APP-7",
  applicantName: "Ada Lovelace",
  premium: 612.5,
  riskGroup: "GREEN",
};

describe("issue-policy", () => {
  it("issues a policy with a well-formed number and records the terms", async () => {
    const h = harness();
    const result = await h.run("issue-policy", accepted);
    assert.equal(result.kind, "complete");
    const variables = result.kind === "complete" ? result.variables : {};
    assert.match(String(variables.policyNumber), /^MTR-26-[0-9A-HJKMNP-TV-Z]{10}$/);
    assert.equal(variables.policyIssuedAt, "2026-03-14T09:30:00.000Z");
    const [policy] = await h.store.list<Policy>("policies");
    assert.equal(policy?.premiumPence, 61250);
    assert.equal(policy?.policyNumber, variables.policyNumber);
  });

  it("returns the same policy when the task runs again (retry, another worker, another task)", async () => {
    const h = harness();
    const first = await h.run("issue-policy", accepted, { taskId: "t-1" });
    const again = await h.run("issue-policy", accepted, { taskId: "t-1" });
    const otherTask = await h.run("issue-policy", { ...accepted, premium: 700 }, { taskId: "t-2" });
    assert.deepEqual(again, first);
    assert.deepEqual(otherTask, first);
    assert.equal((await h.store.list("policies")).length, 1);
  });

  it("issues exactly one policy when two tasks race", async () => {
    const h = harness();
    const results = await Promise.all(Array.from({ length: 10 }, () => h.run("issue-policy", accepted)));
    const numbers = new Set(
      results.map((r) => (r.kind === "complete" ? r.variables.policyNumber : undefined)),
    );
    assert.equal(numbers.size, 1);
    assert.equal((await h.store.list("policies")).length, 1);
  });

  it("gives different applications different numbers", async () => {
    const h = harness();
    const a = await h.run("issue-policy", accepted);
    const b = await h.run("issue-policy", { ...accepted, applicationId: "APP-8" });
    assert.notDeepEqual(a, b);
  });

  it("throws the BPMN error POLICY_NOT_ISSUABLE for RED or a zero premium, without issuing", async () => {
    const h = harness();
    const red = await h.run("issue-policy", { ...accepted, riskGroup: "RED" });
    const free = await h.run("issue-policy", { ...accepted, premium: 0 });
    assert.equal(red.kind === "bpmnError" && red.errorCode, "POLICY_NOT_ISSUABLE");
    assert.equal(free.kind === "bpmnError" && free.errorCode, "POLICY_NOT_ISSUABLE");
    assert.equal((await h.store.list("policies")).length, 0);
  });

  it("fails naming riskGroup when it is not GREEN, YELLOW or RED", async () => {
    const result = await harness().run("issue-policy", { ...accepted, riskGroup: "BLUE" });
    assert.equal(result.kind, "failure");
    assert.match(result.kind === "failure" ? result.message : "", /input variable "riskGroup"/);
  });
});
