import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { harness } from "../../support/handlers.js";

describe("reject-application", () => {
  const cases = [
    { name: "RED risk", variables: { riskGroup: "RED" }, reason: "RISK_NOT_INSURABLE" },
    {
      name: "declined review",
      variables: { riskGroup: "YELLOW", approved: false },
      reason: "DECLINED_IN_REVIEW",
    },
    { name: "no documents (no decision yet)", variables: {}, reason: "DOCUMENTS_NOT_RECEIVED" },
    {
      name: "no documents, unset values as null",
      variables: { riskGroup: null, approved: null },
      reason: "DOCUMENTS_NOT_RECEIVED",
    },
  ];
  for (const c of cases) {
    it(`records ${c.reason} for ${c.name}`, async () => {
      const result = await harness().run("reject-application", { applicationId: "APP-1", ...c.variables });
      assert.deepEqual(result, { kind: "complete", variables: { rejectionReason: c.reason } });
    });
  }

  it("refuses to reject an acceptable application (process routing error) without retries", async () => {
    const result = await harness().run("reject-application", { applicationId: "APP-1", riskGroup: "GREEN" });
    assert.equal(result.kind, "failure");
    assert.equal(result.kind === "failure" && result.retryable, false);
  });

  it("fails naming approved when it is not a boolean", async () => {
    const result = await harness().run("reject-application", { applicationId: "APP-1", approved: "no" });
    assert.match(
      result.kind === "failure" ? result.message : "",
      /input variable "approved" must be true or false/,
    );
  });
});
