/**
 * issue-policy: creates the policy for an accepted application. The policy store is keyed by the
 * application id, so however often this task runs (retry, lock expiry after a crash, two workers)
 * the application gets one policy and the same policy number every time.
 */
import { z } from "zod";
import { applicationId, nonEmptyText, riskGroup } from "#workers/domain/variables.js";
import { bpmnError, complete, defineTopic } from "#workers/handler.js";

export const issuePolicy = defineTopic({
  topic: "issue-policy",
  description: "Issues the policy (idempotent per application) and sets its number.",
  input: z.object({
    applicationId,
    applicantName: nonEmptyText,
    premium: z.number("must be a number").min(0, "must not be negative"),
    riskGroup,
  }),
  outputs: ["policyNumber", "policyIssuedAt"],
  bpmnErrors: ["POLICY_NOT_ISSUABLE"],
  lockDurationMs: 60_000,
  async handler(input, ctx) {
    // A RED application or a zero premium must never become a policy, whatever routed it here.
    if (input.riskGroup === "RED" || input.premium <= 0) {
      return bpmnError(
        "POLICY_NOT_ISSUABLE",
        input.riskGroup === "RED" ? "risk group RED is not insurable" : "the premium is zero",
      );
    }
    const { policy } = await ctx.policies.issue(
      {
        applicationId: input.applicationId,
        holderName: input.applicantName,
        premiumPence: Math.round(input.premium * 100),
        riskGroup: input.riskGroup,
      },
      ctx.now(),
      { taskId: ctx.taskId },
    );
    return complete({ policyNumber: policy.policyNumber, policyIssuedAt: policy.issuedAt });
  },
});
