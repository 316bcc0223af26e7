/**
 * reject-application: records why an application is declined, as a stable reason code that the
 * notification (and reporting) turns into words. The reason follows from how the process got here:
 * the risk decision said RED, a reviewer declined, or the documents never arrived.
 */
import { z } from "zod";
import { applicationId, optional, riskGroup } from "#workers/domain/variables.js";
import { complete, defineTopic, failure } from "#workers/handler.js";

export const REJECTION_REASONS = [
  "RISK_NOT_INSURABLE",
  "DECLINED_IN_REVIEW",
  "DOCUMENTS_NOT_RECEIVED",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export const rejectApplication = defineTopic({
  topic: "reject-application",
  description: "Determines and records the rejection reason.",
  input: z.object({
    applicationId,
    riskGroup: optional(riskGroup),
    approved: optional(z.boolean("must be true or false")),
  }),
  outputs: ["rejectionReason"],
  bpmnErrors: [],
  lockDurationMs: 30_000,
  async handler(input) {
    const reason = rejectionReason(input);
    if (reason) return complete({ rejectionReason: reason });
    // GREEN, or YELLOW without a declined review: the process routed an acceptable application here.
    return failure(
      `reject-application has no reason to reject: riskGroup is ${input.riskGroup} and variable "approved" is not false; check the process routing`,
      { retryable: false },
    );
  },
});

export function rejectionReason(input: {
  riskGroup?: string | undefined;
  approved?: boolean | undefined;
}): RejectionReason | undefined {
  if (input.riskGroup === "RED") return "RISK_NOT_INSURABLE";
  if (input.approved === false) return "DECLINED_IN_REVIEW";
  // No risk group yet means the application never got past validation: the documents are missing.
  if (input.riskGroup === undefined) return "DOCUMENTS_NOT_RECEIVED";
  return undefined;
}
