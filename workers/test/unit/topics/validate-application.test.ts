import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applicant, harness } from "../../support/handlers.js";

const allDocuments = ["DRIVING_LICENCE", "VEHICLE_REGISTRATION"];

describe("validate-application", () => {
  it("completes an application with every document attached", async () => {
    const result = await harness().run("validate-application", { ...applicant, documents: allDocuments });
    assert.deepEqual(result, {
      kind: "complete",
      variables: { applicationComplete: true, missingDocuments: [] },
    });
  });

  it("lists the missing documents as codes, as the process expects them", async () => {
    const result = await harness().run("validate-application", {
      ...applicant,
      documents: ["DRIVING_LICENCE"],
    });
    assert.deepEqual(result, {
      kind: "complete",
      variables: { applicationComplete: false, missingDocuments: ["VEHICLE_REGISTRATION"] },
    });
  });

  it("accepts objects, JSON text and spelling variants of the codes", async () => {
    const documents = JSON.stringify([{ type: "Driving License", fileName: "licence.pdf" }, "v5c"]);
    const result = await harness().run("validate-application", { ...applicant, documents });
    assert.deepEqual(result, {
      kind: "complete",
      variables: { applicationComplete: true, missingDocuments: [] },
    });
  });

  it("treats an absent documents variable as nothing attached", async () => {
    const result = await harness().run("validate-application", { ...applicant });
    assert.equal(result.kind, "complete");
    assert.deepEqual(result.kind === "complete" && result.variables.missingDocuments, allDocuments);
  });

  it("fails without retries, naming the variable, when the age is not a whole number", async () => {
    const result = await harness().run("validate-application", { ...applicant, applicantAge: "thirty" });
    assert.equal(result.kind, "failure");
    assert.equal(result.kind === "failure" && result.retryable, false);
    assert.match(
      result.kind === "failure" ? result.message : "",
      /input variable "applicantAge" must be a whole number/,
    );
    assert.doesNotMatch(
      result.kind === "failure" ? result.message : "",
      /thirty/,
      "variable values stay out of messages",
    );
  });

  it("names every missing or malformed field", async () => {
    const { applicantEmail: _, ...withoutEmail } = applicant;
    const result = await harness().run("validate-application", {
      ...withoutEmail,
      region: "  ",
      documents: [{}],
    });
    assert.equal(result.kind, "failure");
    const message = result.kind === "failure" ? result.message : "";
    assert.match(message, /"applicantEmail" is missing/);
    assert.match(message, /"region" must not be empty/);
    assert.match(message, /"documents\[0\]" must be a document type/);
  });

  it("rejects an age outside 0..130 and an invalid e-mail address", async () => {
    const result = await harness().run("validate-application", {
      ...applicant,
      applicantAge: 131,
      applicantEmail: "ada",
    });
    const message = result.kind === "failure" ? result.message : "";
    assert.match(message, /"applicantEmail" must be an e-mail address/);
    assert.match(message, /"applicantAge" must be at most 130/);
  });
});
