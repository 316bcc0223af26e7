/**
 * Errors of a release that deployed and verified, but a step after it failed: they carry the
 * release's result so the CLI and the action still show the table of versions before the failure.
 */
import { UserError } from "#core/util/errors.js";
import type { ReleaseResult } from "./release.js";
import type { SmokeOutcome } from "./smoke.js";

/** Deployed and verified, but a step after it failed. Carries the result for reporting. */
export class ReleaseFollowUpError extends UserError {
  constructor(
    readonly result: ReleaseResult,
    message: string,
    details: string[],
  ) {
    super(message, { exitCode: 1, details });
    this.name = "ReleaseFollowUpError";
  }
}

/** Deployed and verified, but instances the required policy wanted moved stayed on their version. */
export class MigrationShortfallError extends ReleaseFollowUpError {
  constructor(result: ReleaseResult, stranded: string[]) {
    super(
      result,
      `the release to ${result.environment} is deployed, but running instances stayed on their version although its migration policy is required; see below, then move them (Cockpit's incidents name the reason) or release a migration file that covers them.`,
      stranded,
    );
    this.name = "MigrationShortfallError";
  }
}

/** Deployed, verified, but a smoke instance did not reach a wait state. Carries the result for reporting. */
export class SmokeFailedError extends ReleaseFollowUpError {
  constructor(result: ReleaseResult, failed: SmokeOutcome[]) {
    super(
      result,
      `the release to ${result.environment} is deployed, but the smoke test of ${failed.map((f) => f.key).join(", ")} failed; inspect the process in Cockpit and release a fix (or roll back with --ref).`,
      failed.map((f) => `${f.key}${f.example ? ` with ${f.example}` : ""}: ${f.detail}`),
    );
    this.name = "SmokeFailedError";
  }
}
