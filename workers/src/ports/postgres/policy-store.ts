/**
 * Policies in the workers' PostgreSQL schema, shared by every worker host. "One policy per
 * application" is the table's primary key and "no two applications share a number" its unique
 * constraint: the insert either creates the policy or does nothing, and whoever lost the race reads
 * the winner's row. No check-then-write, so two hosts running the same task at the same moment still
 * issue one policy.
 */
import {
  type IssuedPolicy,
  newPolicyNumber,
  type Policy,
  type PolicyStore,
  type PolicyTerms,
} from "../policy-store.js";
import { identifier, isUniqueViolation, type Queryable } from "./connection.js";

interface PolicyRow {
  application_id: string;
  policy_number: string;
  holder_name: string;
  premium_pence: string;
  risk_group: string;
  issued_at: Date;
}

function toPolicy(row: PolicyRow): Policy {
  return {
    applicationId: row.application_id,
    holderName: row.holder_name,
    // bigint arrives as text; premiums in pence stay far below 2^53.
    premiumPence: Number(row.premium_pence),
    riskGroup: row.risk_group,
    policyNumber: row.policy_number,
    issuedAt: row.issued_at.toISOString(),
  };
}

const COLUMNS = "application_id, policy_number, holder_name, premium_pence, risk_group, issued_at";

export class PostgresPolicyStore implements PolicyStore {
  private readonly table: string;

  constructor(
    private readonly pool: Queryable,
    schema: string,
    private readonly workerId: string,
    private readonly generate: (now: Date) => string = (now) => newPolicyNumber(now),
  ) {
    this.table = `${identifier(schema)}.policies`;
  }

  async issue(terms: PolicyTerms, now: Date, origin: { taskId?: string } = {}): Promise<IssuedPolicy> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const policyNumber = this.generate(now);
      try {
        const { rows } = await this.pool.query<PolicyRow>(
          `INSERT INTO ${this.table} (${COLUMNS}, task_id, worker_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (application_id) DO NOTHING
           RETURNING ${COLUMNS}`,
          [
            terms.applicationId,
            policyNumber,
            terms.holderName,
            terms.premiumPence,
            terms.riskGroup,
            now,
            origin.taskId ?? null,
            this.workerId,
          ],
        );
        if (rows[0]) return { policy: toPolicy(rows[0]), created: true };
      } catch (error) {
        // The random number is taken by another application: draw again.
        if (isUniqueViolation(error, "policies_policy_number_key")) continue;
        throw error;
      }
      // The application has its policy already (an earlier run, or another host a moment ago).
      const existing = await this.find(terms.applicationId);
      if (existing) return { policy: existing, created: false };
      throw new Error(
        `policy for application ${terms.applicationId} neither inserted nor found; the row was deleted meanwhile`,
      );
    }
    throw new Error(
      "could not find an unused policy number after 5 attempts; check the policy number generator",
    );
  }

  async find(applicationId: string): Promise<Policy | undefined> {
    const { rows } = await this.pool.query<PolicyRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE application_id = $1`,
      [applicationId],
    );
    return rows[0] ? toPolicy(rows[0]) : undefined;
  }
}
