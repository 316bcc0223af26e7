/**
 * Issues policies. The one rule that matters: an application gets exactly one policy number, no
 * matter how often its issue-policy task runs (retries, lock expiry after a crash, two workers racing).
 *
 * IdempotentPolicyStore keeps policies in an IdempotencyStore keyed by application id (the file store
 * of a single local process). Shared by several hosts, the port is PostgresPolicyStore
 * (postgres/policy-store.ts): a table with the application id as primary key and a unique policy
 * number. In front of a policy administration system, the application id is its idempotency key.
 */
import { randomBytes } from "node:crypto";
import type { IdempotencyStore } from "./idempotency-store.js";

export interface PolicyTerms {
  readonly applicationId: string;
  readonly holderName: string;
  /** Annual premium in pence. */
  readonly premiumPence: number;
  readonly riskGroup: string;
}

export interface Policy extends PolicyTerms {
  readonly policyNumber: string;
  readonly issuedAt: string;
}

export interface IssuedPolicy {
  readonly policy: Policy;
  /** False when the application already had a policy: the existing one is returned unchanged. */
  readonly created: boolean;
}

/** Where an issue or a send came from, recorded for audits where the store can keep it. */
export interface Origin {
  /** The external task that asked for it. */
  readonly taskId?: string;
}

export interface PolicyStore {
  issue(terms: PolicyTerms, now: Date, origin?: Origin): Promise<IssuedPolicy>;
  find(applicationId: string): Promise<Policy | undefined>;
}

// Crockford base32 without I, L, O, U: unambiguous when read out on the phone.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `MTR-<yy>-<10 characters>`: 50 random bits, so a clash is rare; it is still checked. */
export function newPolicyNumber(now: Date, random: (bytes: number) => Uint8Array = randomBytes): string {
  const bytes = random(10);
  let body = "";
  for (const byte of bytes) body += ALPHABET[byte % 32];
  return `MTR-${String(now.getUTCFullYear() % 100).padStart(2, "0")}-${body}`;
}

export class IdempotentPolicyStore implements PolicyStore {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly generate: (now: Date) => string = (now) => newPolicyNumber(now),
  ) {}

  async issue(terms: PolicyTerms, now: Date): Promise<IssuedPolicy> {
    const existing = await this.find(terms.applicationId);
    if (existing) return { policy: existing, created: false };

    const policyNumber = await this.reserveNumber(terms.applicationId, now);
    const policy: Policy = { ...terms, policyNumber, issuedAt: now.toISOString() };
    // If another worker issued a policy for this application in the meantime, its policy wins and
    // the number reserved here stays unused (a gap in the numbers, never a second policy).
    const stored = await this.store.putIfAbsent("policies", terms.applicationId, policy);
    return { policy: stored.value, created: stored.created };
  }

  find(applicationId: string): Promise<Policy | undefined> {
    return this.store.get<Policy>("policies", applicationId);
  }

  private async reserveNumber(applicationId: string, now: Date): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidate = this.generate(now);
      const claim = await this.store.putIfAbsent("policy-numbers", candidate, applicationId);
      if (claim.created || claim.value === applicationId) return candidate;
    }
    throw new Error(
      "could not find an unused policy number after 5 attempts; check the policy number generator",
    );
  }
}
