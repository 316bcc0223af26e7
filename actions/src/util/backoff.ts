/**
 * The one backoff formula: capped exponential (base × 2^n, at most max), and the full-jitter variant
 * (a delay drawn uniformly in [0, that ceiling]) so that clients which lost the engine at the same
 * moment do not come back in lockstep.
 */

/** base × 2^failures, capped at max (the exponent is bounded so it never overflows). */
export function cappedExponential(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures, 0), 30));
}

/** Successive delays after consecutive failures, with full jitter; reset() after a success. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, after one more failure. */
  next(): number {
    const ceiling = cappedExponential(this.failures, this.initialMs, this.maxMs);
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
