/**
 * The topic registry: every external task topic this repository serves, with its handler, the
 * variables fetched, the outputs it sets, the BPMN errors it may throw and its lock duration.
 * The worker runtime serves exactly these topics; the process linter imports this module to check
 * that every BPMN topic has a worker and every worker a BPMN topic. Importing it has no side
 * effects (no connections, no timers, no environment reads).
 */
import type { TopicDefinition } from "./handler.js";
import { calculatePremium } from "./topics/calculate-premium.js";
import { issuePolicy } from "./topics/issue-policy.js";
import { notifySupervisor } from "./topics/notify-supervisor.js";
import { rejectApplication } from "./topics/reject-application.js";
import { requestDocuments } from "./topics/request-documents.js";
import { sendNotification } from "./topics/send-notification.js";
import { sendReminder } from "./topics/send-reminder.js";
import { validateApplication } from "./topics/validate-application.js";

const definitions = [
  validateApplication,
  calculatePremium,
  issuePolicy,
  rejectApplication,
  sendNotification,
  notifySupervisor,
  requestDocuments,
  sendReminder,
] as const;

export type TopicName = (typeof definitions)[number]["topic"];

// Handlers are stored with their input type erased: the runtime validates variables with the
// topic's own schema before calling its handler, which is what makes the call type-safe.
export type RegisteredTopic = TopicDefinition;

export const topicRegistry: Readonly<Record<string, RegisteredTopic>> = Object.freeze(
  Object.fromEntries(definitions.map((d) => [d.topic, d as unknown as RegisteredTopic])),
);

export const topicNames: readonly string[] = Object.freeze(definitions.map((d) => d.topic));
