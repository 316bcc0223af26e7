/**
 * request-documents: tells the applicant which documents are missing and, after a clerk rejected a
 * submission, why (documentsComment). Once per request task: asking again after a rejection is a new
 * task and a new message.
 */
import { z } from "zod";
import { documentList } from "#workers/domain/messages.js";
import { applicationId, email, nonEmptyText, optional, stringList } from "#workers/domain/variables.js";
import { complete, defineTopic } from "#workers/handler.js";

export const requestDocuments = defineTopic({
  topic: "request-documents",
  description: "Asks the applicant for the missing documents.",
  input: z.object({
    applicationId,
    applicantName: nonEmptyText,
    applicantEmail: email,
    missingDocuments: stringList,
    documentsComment: optional(z.string().trim().max(1000, "must be at most 1000 characters")),
  }),
  outputs: ["documentsRequestedAt"],
  bpmnErrors: [],
  lockDurationMs: 30_000,
  async handler(input, ctx) {
    const { delivery } = await ctx.notifier.send(
      {
        idempotencyKey: `${input.applicationId}:documents-requested:${ctx.taskId}`,
        kind: "documents-requested",
        applicationId: input.applicationId,
        to: { type: "applicant", name: input.applicantName, email: input.applicantEmail },
        subject: `Documents needed for your application ${input.applicationId}`,
        body: [
          `Dear ${input.applicantName},`,
          "",
          ...(input.documentsComment
            ? ["we could not accept the documents you sent:", `  ${input.documentsComment}`, ""]
            : []),
          "to assess your motor insurance application we need:",
          documentList(input.missingDocuments),
          "",
          `Please reply quoting ${input.applicationId}.`,
        ].join("\n"),
      },
      ctx.now(),
      { taskId: ctx.taskId },
    );
    return complete({ documentsRequestedAt: delivery.sentAt });
  },
});
