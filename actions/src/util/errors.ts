/**
 * Errors a user can meet. Each carries one sentence that says what is wrong, where, and what to do,
 * plus the exit code the CLI uses: 1 = the work failed, 2 = usage or configuration error.
 * Anything that is not a UserError is a bug and is reported as such (stack only with DEBUG=1).
 */
export class UserError extends Error {
  readonly exitCode: 1 | 2;
  /** Optional extra lines (e.g. per-resource parse errors) printed after the sentence. */
  readonly details: readonly string[];

  constructor(
    message: string,
    options: { exitCode?: 1 | 2; details?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "UserError";
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details ?? [];
  }
}

/** Bad command line or configuration: exit code 2. */
export class UsageError extends UserError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, { exitCode: 2, details });
    this.name = "UsageError";
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
