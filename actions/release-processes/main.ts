import * as core from "@actions/core";
import { loadManifest, manifestFile } from "#core/fidelity/manifest.js";
import { importRegistryWithTsx } from "#core/lint/registry-import.js";
import { annotationsFor } from "#core/release/annotations.js";
import { connect } from "#core/release/connect.js";
import { projectLintGate } from "#core/release/lint-gate.js";
import { planHasChanges } from "#core/release/plan.js";
import { provenanceFromEnvironment } from "#core/release/provenance.js";
import { type ReleaseResult, release, SmokeFailedError } from "#core/release/release.js";
import { formatReleaseMarkdown, formatReleaseText, releaseJson } from "#core/release/report.js";
import { errorMessage, UserError } from "#core/util/errors.js";

function publish(result: ReleaseResult): void {
  core.setOutput("result", JSON.stringify(releaseJson(result)));
  core.setOutput("plan-digest", result.plan.digest);
  core.setOutput("has-changes", String(planHasChanges(result.plan)));
  core.setOutput("new-versions", String(result.newVersions));
  core.info(formatReleaseText(result));
}

async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  // Masked before anything can print it; the client sends it only in the Authorization header.
  if (process.env.CAMUNDA_PASSWORD) core.setSecret(process.env.CAMUNDA_PASSWORD);
  const environment = core.getInput("environment", { required: true });
  const smoke = core.getBooleanInput("smoke");
  const connection = connect(environment, {
    root: workspace,
    log: (line) => core.info(line),
  });
  try {
    const result = await release({
      client: connection.client,
      target: connection.target,
      repoRoot: workspace,
      ref: core.getInput("ref") || undefined,
      dryRun: core.getBooleanInput("dry-run"),
      smoke,
      allowSmokeTests: connection.allowSmokeTests,
      ...(smoke ? { engineCapabilities: loadManifest(manifestFile(workspace)).capabilities } : {}),
      expectedPlanDigest: core.getInput("expected-plan-digest") || undefined,
      provenance: await provenanceFromEnvironment(process.env, workspace),
      lint: projectLintGate({
        toolRoot: workspace,
        importRegistry: (file) => importRegistryWithTsx(workspace, file),
      }),
    });
    publish(result);
    await core.summary.addRaw(formatReleaseMarkdown(result)).write();
  } catch (error) {
    if (error instanceof SmokeFailedError) {
      publish(error.result);
      await core.summary.addRaw(formatReleaseMarkdown(error.result)).write();
    }
    throw error;
  }
}

/** Failures a person can fix get annotations on the lines concerned and one sentence in the log. */
function fail(error: unknown): void {
  for (const a of annotationsFor(error)) {
    core.error(a.message, { file: a.file, startLine: a.line, startColumn: a.column, title: a.title });
  }
  if (error instanceof UserError) {
    core.setFailed([error.message, ...error.details.map((d) => `  ${d}`)].join("\n"));
    return;
  }
  core.setFailed(`The process release failed unexpectedly: ${errorMessage(error)}`);
}

run().catch(fail);
