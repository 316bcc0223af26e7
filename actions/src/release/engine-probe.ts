/**
 * The engine part of `release --smoke`: the read-only capability probe (GET requests only, so safe in
 * every environment) against the production image's capabilities in engine/run-7.23.0.yaml. A model
 * tested on the local engine behaves the same in an environment only if its engine is the same.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import type { ManifestCapabilities } from "#core/fidelity/manifest.js";
import { type ProbeReport, probeEngine } from "#core/probe/probe.js";
import type { SmokeOutcome } from "./smoke.js";

export function probeReleasedEngine(
  client: CamundaClient,
  expected: ManifestCapabilities,
): Promise<ProbeReport> {
  return probeEngine(client, { mode: "read-only", expected });
}

/** Each check that differs, as a failed smoke outcome. */
export function engineProbeFailures(report: ProbeReport | null): SmokeOutcome[] {
  return (report?.checks ?? [])
    .filter((check) => check.status === "differs")
    .map((check) => ({
      key: `engine (${check.title})`,
      definitionId: "",
      status: "failed",
      example: null,
      detail: `${check.observed}; the production image has ${check.expected}`,
    }));
}
