/**
 * notify-supervisor: escalates a review that has waited too long to the supervisors of the review's
 * candidate group. Once per escalation task (the task id is in the idempotency key): a retried or
 * re-locked task does not send twice, a later escalation does send.
 */
import { z } from "zod";
import { applicationId, nonEmptyText, optional, riskGroup } from "#workers/domain/variables.js";
import { complete, defineTopic } from "#workers/handler.js";

export const notifySupervisor = defineTopic({
  topic: "notify-supervisor",
  description: "Escalates an overdue review to the supervisors of its review group.",
  input: z.object({
    applicationId,
    applicantName: nonEmptyText,
    reviewGroup: nonEmptyText,
    riskGroup: optional(riskGroup),
  }),
  outputs: ["escalatedAt"],
  bpmnErrors: [],
  lockDurationMs: 30_000,
  async handler(input, ctx) {
    const { delivery } = await ctx.notifier.send(
      {
        idempotencyKey: `${input.applicationId}:review-escalated:${ctx.taskId}`,
        kind: "review-escalated",
        applicationId: input.applicationId,
        to: { type: "group", group: `${input.reviewGroup}-supervisors` },
        subject: `Overdue review: application ${input.applicationId}`,
        body: [
          `The review of application ${input.applicationId} (${input.applicantName}) by group "${input.reviewGroup}"`,
          `${input.riskGroup ? `(risk group ${input.riskGroup}) ` : ""}is overdue. Please assign or complete it.`,
        ].join("\n"),
      },
      ctx.now(),
      { taskId: ctx.taskId },
    );
    return complete({ escalatedAt: delivery.sentAt });
  },
});
