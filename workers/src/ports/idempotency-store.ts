/**
 * Remembers the outcome of a side effect under a key so that doing it again returns the first
 * outcome instead of repeating it. `putIfAbsent` must be atomic across every worker process that
 * shares the store: that is what makes "exactly one policy per application" hold when two workers
 * (or a restarted one) race on the same task.
 *
 * Local/dev: FileIdempotencyStore (one file per key, created atomically). Production: a table with a
 * unique key in a database the workers can reach (e.g. PostgreSQL `INSERT … ON CONFLICT DO NOTHING
 * RETURNING`, or a DynamoDB conditional put), shared by every replica.
 */
export interface StoredRecord<T> {
  readonly value: T;
  /** True when this call stored the value; false when an earlier one had (the value is that one's). */
  readonly created: boolean;
}

export interface IdempotencyStore {
  /** Stores `value` under namespace/key unless something is stored there; returns what is stored. */
  putIfAbsent<T>(namespace: string, key: string, value: T): Promise<StoredRecord<T>>;
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  /** Every value in a namespace (reports, tests, reading the local outbox). */
  list<T>(namespace: string): Promise<T[]>;
}

/** For tests and single-process use: the same semantics, in memory. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, unknown>();

  async putIfAbsent<T>(namespace: string, key: string, value: T): Promise<StoredRecord<T>> {
    const id = `${namespace}\u0000${key}`;
    if (this.records.has(id)) return { value: this.records.get(id) as T, created: false };
    this.records.set(id, structuredClone(value));
    return { value, created: true };
  }

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    return this.records.get(`${namespace}\u0000${key}`) as T | undefined;
  }

  async list<T>(namespace: string): Promise<T[]> {
    const prefix = `${namespace}\u0000`;
    return [...this.records.entries()].filter(([id]) => id.startsWith(prefix)).map(([, value]) => value as T);
  }
}
