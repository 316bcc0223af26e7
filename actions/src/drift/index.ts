/** Drift between an environment's engine and the repository: detection and its reports. */
import type { CamundaClient } from "#core/camunda/index.js";
import type { ReleaseTarget } from "#core/release/plan.js";
import { openSource } from "#core/release/source.js";
import { type DriftReport, detectDrift } from "./detect.js";

export type { DriftEntry, DriftReport, DriftState } from "./detect.js";
export { detectDrift } from "./detect.js";
export { driftHeadline, driftJson, formatDriftMarkdown, formatDriftText, stateLabel } from "./report.js";

export interface CheckDriftOptions {
  client: CamundaClient;
  target: ReleaseTarget;
  /** The checkout whose processes/ is the desired state. */
  repoRoot: string;
  processesPath?: string;
  /** Compare with the files of this git ref instead of the working tree. */
  ref?: string | undefined;
  /** "owner/name" of this repository (see provenance.ts). */
  repository?: string | null;
  onProgress?: (detail: string) => void;
  now?: () => Date;
}

/** Reads the repository's models (working tree or ref) and compares the engine with them. Read-only. */
export async function checkDrift(options: CheckDriftOptions): Promise<DriftReport> {
  const source = await openSource({
    repoRoot: options.repoRoot,
    ...(options.processesPath ? { processesPath: options.processesPath } : {}),
    ref: options.ref,
  });
  try {
    return await detectDrift({
      client: options.client,
      target: options.target,
      source,
      repository: options.repository ?? null,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  } finally {
    await source.dispose();
  }
}
