/**
 * send-notification: tells the applicant the outcome, policy issued or application rejected. The
 * outcome comes from `notificationType` (POLICY_ISSUED or APPLICATION_REJECTED, an input parameter
 * of the BPMN task) when the process sets it, otherwise from which of
 * policyNumber / rejectionReason exists. Sent once per application and outcome (idempotency key),
 * however often the task runs.
 */
import { z } from "zod";
import { formatPounds, rejectionText } from "#workers/domain/messages.js";
import { applicationId, email, nonEmptyText, optional } from "#workers/domain/variables.js";
import { complete, defineTopic, failure } from "#workers/handler.js";
import type { Notification } from "#workers/ports/notifier.js";

const KINDS = { POLICY_ISSUED: "policy-issued", APPLICATION_REJECTED: "application-rejected" } as const;

export const sendNotification = defineTopic({
  topic: "send-notification",
  description: "Notifies the applicant that the policy was issued or the application rejected.",
  input: z.object({
    applicationId,
    applicantName: nonEmptyText,
    applicantEmail: email,
    notificationType: optional(
      z.preprocess(
        (value) => (typeof value === "string" ? value.trim().toUpperCase().replace(/-/g, "_") : value),
        z.enum(["POLICY_ISSUED", "APPLICATION_REJECTED"], "must be POLICY_ISSUED or APPLICATION_REJECTED"),
      ),
    ),
    policyNumber: optional(nonEmptyText),
    premium: optional(z.number("must be a number")),
    rejectionReason: optional(nonEmptyText),
  }),
  outputs: ["notificationId"],
  bpmnErrors: [],
  lockDurationMs: 30_000,
  async handler(input, ctx) {
    const kind = input.notificationType
      ? KINDS[input.notificationType]
      : input.policyNumber
        ? "policy-issued"
        : input.rejectionReason
          ? "application-rejected"
          : undefined;
    if (!kind) {
      return failure(
        'send-notification cannot tell the outcome: neither "policyNumber" nor "rejectionReason" is set (or set "notificationType")',
        { retryable: false },
      );
    }
    const to = { type: "applicant", name: input.applicantName, email: input.applicantEmail } as const;
    let notification: Notification;
    if (kind === "policy-issued") {
      if (!input.policyNumber) {
        return failure('input variable "policyNumber" is missing for a policy-issued notification', {
          retryable: false,
        });
      }
      notification = {
        idempotencyKey: `${input.applicationId}:policy-issued`,
        kind,
        applicationId: input.applicationId,
        to,
        subject: `Your motor insurance policy ${input.policyNumber}`,
        body: [
          `Dear ${input.applicantName},`,
          "",
          `your motor insurance policy ${input.policyNumber} has been issued.`,
          ...(input.premium !== undefined ? [`Annual premium: ${formatPounds(input.premium)}.`] : []),
          "",
          "Your policy documents follow in a separate message.",
        ].join("\n"),
      };
    } else {
      const reason = input.rejectionReason ?? "UNSPECIFIED";
      notification = {
        idempotencyKey: `${input.applicationId}:application-rejected`,
        kind,
        applicationId: input.applicationId,
        to,
        subject: `Your motor insurance application ${input.applicationId}`,
        body: [
          `Dear ${input.applicantName},`,
          "",
          rejectionText(reason),
          "",
          "Thank you for your interest.",
        ].join("\n"),
      };
    }
    const { delivery } = await ctx.notifier.send(notification, ctx.now(), { taskId: ctx.taskId });
    return complete({ notificationId: delivery.deliveryId });
  },
});
