/**
 * Notifications as a transactional outbox in the workers' PostgreSQL schema, shared by every worker
 * host: a message is one row, unique by its idempotency key (and, for the outcome of an application,
 * by application and kind), so it is stored once however many hosts send it at the same moment. A
 * relay to the e-mail provider reads the rows and passes the key on as the provider's idempotency key;
 * locally and in the tests the row is the delivery.
 */
import type { Notification, Notifier, SendResult } from "../notifier.js";
import { identifier, type Queryable } from "./connection.js";

interface DeliveryRow {
  delivery_id: string;
  sent_at: Date;
}

export class PostgresOutboxNotifier implements Notifier {
  private readonly table: string;

  constructor(
    private readonly pool: Queryable,
    schema: string,
    private readonly workerId: string,
  ) {
    this.table = `${identifier(schema)}.notifications`;
  }

  async send(notification: Notification, now: Date, origin: { taskId?: string } = {}): Promise<SendResult> {
    // No conflict target: whichever unique rule the row breaks (key, or one outcome per application),
    // nothing is stored and the earlier delivery is returned.
    const { rows } = await this.pool.query<DeliveryRow>(
      `INSERT INTO ${this.table}
         (idempotency_key, kind, application_id, recipient, subject, body, delivery_id, sent_at, task_id, worker_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT DO NOTHING
       RETURNING delivery_id, sent_at`,
      [
        notification.idempotencyKey,
        notification.kind,
        notification.applicationId,
        JSON.stringify(notification.to),
        notification.subject,
        notification.body,
        `${notification.kind}:${notification.idempotencyKey}`,
        now,
        origin.taskId ?? null,
        this.workerId,
      ],
    );
    if (rows[0]) return { delivery: delivery(rows[0]), duplicate: false };
    const { rows: earlier } = await this.pool.query<DeliveryRow>(
      `SELECT delivery_id, sent_at FROM ${this.table}
        WHERE idempotency_key = $1
           OR (application_id = $2 AND kind = $3 AND kind IN ('policy-issued', 'application-rejected'))
        ORDER BY sent_at LIMIT 1`,
      [notification.idempotencyKey, notification.applicationId, notification.kind],
    );
    if (!earlier[0]) {
      throw new Error(
        `notification ${notification.kind} for application ${notification.applicationId} neither stored nor found; the row was deleted meanwhile`,
      );
    }
    return { delivery: delivery(earlier[0]), duplicate: true };
  }
}

function delivery(row: DeliveryRow) {
  return { deliveryId: row.delivery_id, sentAt: row.sent_at.toISOString() };
}
