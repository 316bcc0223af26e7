/**
 * validate-application: checks that the application's fields are well-formed and that every
 * required document is attached. Missing documents are a business outcome (applicationComplete =
 * false, the process asks for them); a malformed field is a failure that names the field, because
 * no amount of waiting for documents fixes it.
 */
import { z } from "zod";
import { attachedDocuments, missingDocuments } from "#workers/domain/documents.js";
import { applicationId, email, nonEmptyText } from "#workers/domain/variables.js";
import { complete, defineTopic } from "#workers/handler.js";

export const validateApplication = defineTopic({
  topic: "validate-application",
  description: "Checks the applicant's data and the attached documents.",
  input: z.object({
    applicationId,
    applicantName: nonEmptyText,
    applicantEmail: email,
    applicantAge: z
      .int("must be a whole number")
      .min(0, "must not be negative")
      .max(130, "must be at most 130"),
    vehicleMake: nonEmptyText,
    vehicleModel: nonEmptyText,
    region: nonEmptyText,
    documents: attachedDocuments,
  }),
  outputs: ["applicationComplete", "missingDocuments"],
  bpmnErrors: [],
  lockDurationMs: 30_000,
  async handler(input) {
    const missing = missingDocuments(input.documents);
    return complete({ applicationComplete: missing.length === 0, missingDocuments: missing });
  },
});
