/**
 * Capped exponential backoff with full jitter (delay uniform in [0, min(max, initial × 2^n)]):
 * replicas that lost the engine at the same moment do not come back in lockstep.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, after one more failure. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(this.random() * ceiling);
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}

export { sleep } from "#core/util/sleep.js";
