/**
 * send-reminder: reminds the applicant that documents are still missing. Once per reminder task.
 */
import { z } from "zod";
import { documentList } from "#workers/domain/messages.js";
import { applicationId, email, nonEmptyText, stringList } from "#workers/domain/variables.js";
import { complete, defineTopic } from "#workers/handler.js";

export const sendReminder = defineTopic({
  topic: "send-reminder",
  description: "Reminds the applicant of the documents still missing.",
  input: z.object({
    applicationId,
    applicantName: nonEmptyText,
    applicantEmail: email,
    missingDocuments: stringList,
  }),
  outputs: ["reminderSentAt"],
  bpmnErrors: [],
  lockDurationMs: 30_000,
  async handler(input, ctx) {
    const { delivery } = await ctx.notifier.send(
      {
        idempotencyKey: `${input.applicationId}:documents-reminder:${ctx.taskId}`,
        kind: "documents-reminder",
        applicationId: input.applicationId,
        to: { type: "applicant", name: input.applicantName, email: input.applicantEmail },
        subject: `Reminder: documents needed for your application ${input.applicationId}`,
        body: [
          `Dear ${input.applicantName},`,
          "",
          "we are still waiting for:",
          documentList(input.missingDocuments),
          "",
          "Without them we cannot offer cover and will have to close the application.",
        ].join("\n"),
      },
      ctx.now(),
      { taskId: ctx.taskId },
    );
    return complete({ reminderSentAt: delivery.sentAt });
  },
});
