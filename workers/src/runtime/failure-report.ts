/**
 * How a failed attempt is reported to the engine: a short message (the engine cuts at 666
 * characters), full details (stack and causes) in errorDetails, the retries left counted down from
 * the task's own count, and a retry timeout that doubles with every failed attempt.
 */
import { cappedExponential } from "#core/util/backoff.js";

export const ENGINE_MESSAGE_LIMIT = 666;

export interface FailureReport {
  errorMessage: string;
  errorDetails: string;
  retries: number;
  retryTimeout: number;
}

export interface RetryPolicy {
  /** Retries after the first failed attempt; the engine raises an incident when none are left. */
  retries: number;
  baseMs: number;
  maxMs: number;
}

/**
 * `taskRetries` is null until the first failure is reported. First failure → policy.retries, then
 * one less each time; 0 → incident. Non-retryable failures go straight to 0.
 */
export function retriesLeft(
  taskRetries: number | null | undefined,
  policy: RetryPolicy,
  retryable: boolean,
): number {
  if (!retryable) return 0;
  if (taskRetries === null || taskRetries === undefined) return policy.retries;
  return Math.max(0, taskRetries - 1);
}

export function retryTimeout(left: number, policy: RetryPolicy): number {
  if (left === 0) return 0;
  const failedSoFar = Math.max(0, policy.retries - left);
  return cappedExponential(failedSoFar, policy.baseMs, policy.maxMs);
}

export function truncateMessage(message: string, limit = ENGINE_MESSAGE_LIMIT): string {
  const single = message.replace(/\s+/g, " ").trim() || "handler failed without a message";
  return single.length <= limit ? single : `${single.slice(0, limit - 1)}…`;
}

/** Stack and the chain of causes, for the incident's details view. */
export function describeError(error: unknown): { message: string; details: string } {
  if (!(error instanceof Error)) return { message: String(error), details: String(error) };
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    lines.push(
      depth === 0
        ? (current.stack ?? `${current.name}: ${current.message}`)
        : `Caused by: ${current.stack ?? current.message}`,
    );
    current = current.cause;
  }
  return { message: `${error.name}: ${error.message}`, details: lines.join("\n") };
}

export function failureReport(
  message: string,
  details: string,
  taskRetries: number | null | undefined,
  policy: RetryPolicy,
  retryable: boolean,
): FailureReport {
  const retries = retriesLeft(taskRetries, policy, retryable);
  return {
    errorMessage: truncateMessage(message),
    errorDetails: details || message,
    retries,
    retryTimeout: retryTimeout(retries, policy),
  };
}
