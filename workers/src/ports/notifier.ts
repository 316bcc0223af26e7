/**
 * Every message to a person goes through this port. Each notification carries an idempotency key;
 * sending the same key twice delivers once and returns the first delivery. The local implementation
 * (OutboxNotifier) writes messages to an outbox directory instead of sending e-mail; production
 * would put an e-mail/SMS provider behind the same port, keeping the idempotency key (a provider
 * idempotency header, or a transactional outbox table relayed by one sender).
 */
import type { IdempotencyStore } from "./idempotency-store.js";
import type { Origin } from "./policy-store.js";

export type NotificationKind =
  | "policy-issued"
  | "application-rejected"
  | "review-escalated"
  | "documents-requested"
  | "documents-reminder";

export type Recipient =
  | { readonly type: "applicant"; readonly name: string; readonly email: string }
  | { readonly type: "group"; readonly group: string };

export interface Notification {
  /** Same key = same message: it is delivered at most once. */
  readonly idempotencyKey: string;
  readonly kind: NotificationKind;
  readonly applicationId: string;
  readonly to: Recipient;
  readonly subject: string;
  readonly body: string;
}

export interface Delivery {
  readonly deliveryId: string;
  readonly sentAt: string;
}

export interface SendResult {
  readonly delivery: Delivery;
  /** True when the key had been delivered before and nothing was sent now. */
  readonly duplicate: boolean;
}

export interface Notifier {
  send(notification: Notification, now: Date, origin?: Origin): Promise<SendResult>;
}

export interface OutboxMessage extends Notification, Delivery {}

/**
 * Local notifier: the outbox record *is* the delivery, so storing it once in the idempotency store
 * (atomically, across processes) is exactly-once delivery. Tests and developers read the outbox.
 */
export class OutboxNotifier implements Notifier {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly onDelivered: (message: OutboxMessage) => void = () => undefined,
  ) {}

  async send(notification: Notification, now: Date): Promise<SendResult> {
    const message: OutboxMessage = {
      ...notification,
      deliveryId: `${notification.kind}:${notification.idempotencyKey}`,
      sentAt: now.toISOString(),
    };
    const stored = await this.store.putIfAbsent("outbox", notification.idempotencyKey, message);
    if (stored.created) this.onDelivered(stored.value);
    return {
      delivery: { deliveryId: stored.value.deliveryId, sentAt: stored.value.sentAt },
      duplicate: !stored.created,
    };
  }
}
