/**
 * The release-processes action: the core's release (lint gate, plan, one atomic deployment,
 * verification, optional smoke test) for one environment, as outputs, the job summary, and
 * annotations on the lines a refused release points at.
 */
import { loadManifest, manifestFile } from "#core/fidelity/manifest.js";
import { importRegistryWithTsx } from "#core/lint/registry-import.js";
import { releaseOptions } from "#core/options/release.js";
import { annotationsFor } from "#core/release/annotations.js";
import { connect } from "#core/release/connect.js";
import { releaseIntegrity } from "#core/release/integrity.js";
import { projectLintGate } from "#core/release/lint-gate.js";
import { planHasChanges } from "#core/release/plan.js";
import { provenanceFromEnvironment } from "#core/release/provenance.js";
import { ReleaseFollowUpError, type ReleaseResult, release } from "#core/release/release.js";
import { formatReleaseMarkdown, formatReleaseText, releaseJson } from "#core/release/report.js";
import { type ActionDefinition, runAction } from "../shared/run-action.js";
import { githubRunner, type Runner } from "../shared/runner.js";

async function publish(runner: Runner, result: ReleaseResult): Promise<void> {
  runner.output("result", JSON.stringify(releaseJson(result)));
  runner.output("plan-digest", result.plan.digest);
  runner.output("has-changes", String(planHasChanges(result.plan)));
  runner.output("new-versions", String(result.newVersions));
  runner.info(formatReleaseText(result));
  await runner.summary(formatReleaseMarkdown(result));
}

export const releaseProcesses: ActionDefinition<typeof releaseOptions> = {
  what: "The process release",
  options: releaseOptions,
  inputs: [
    "environment",
    "ref",
    "allow-unmerged",
    "dry-run",
    "smoke",
    "migrate",
    "expected-plan-digest",
    "allow-revocations",
  ],
  async run(options, { runner, workspace }) {
    // Masked before anything can print it; the client sends it only in the Authorization header.
    // CAMUNDA_PASSWORD, and the technical users' passwords the environment file names
    // (identities.users.*.password.env, CAMUNDA_<USER>_PASSWORD by convention).
    const secrets = Object.entries(runner.env).filter(([name]) => /^CAMUNDA_[A-Z0-9_]*PASSWORD$/.test(name));
    for (const value of new Set(secrets.map(([, value]) => value))) if (value) runner.secret(value);
    const connection = connect(options.environment, {
      root: workspace,
      env: runner.env,
      log: (line) => runner.info(line),
    });
    // A CI checkout is never dirty; if a step changed processes/, the release refuses.
    const integrity = releaseIntegrity(connection, { ...options, allowDirty: false });
    try {
      const result = await release({
        client: connection.client,
        target: connection.target,
        repoRoot: workspace,
        ref: options.ref,
        ...integrity,
        dryRun: options.dryRun,
        smoke: options.smoke,
        migrate: options.migrate,
        allowSmokeTests: connection.allowSmokeTests,
        identities: connection.identities,
        allowRevocations: options.allowRevocations,
        authenticatedUserPassword: connection.authenticatedUserPassword,
        ...(options.smoke ? { engineCapabilities: loadManifest(manifestFile(workspace)).capabilities } : {}),
        expectedPlanDigest: options.expectedPlanDigest,
        // The workflow's release job deploys only the plan its reviewers approved.
        requirePlanDigest: true,
        provenance: await provenanceFromEnvironment(runner.env, workspace),
        lint: projectLintGate({
          toolRoot: workspace,
          importRegistry: (file) => importRegistryWithTsx(workspace, file),
        }),
      });
      await publish(runner, result);
    } catch (error) {
      // Deployed, but a step after it failed (smoke test, required migration): the table of versions
      // still belongs in the outputs.
      if (error instanceof ReleaseFollowUpError) await publish(runner, error.result);
      throw error;
    }
  },
  annotations: (error) =>
    annotationsFor(error).map((a) => ({
      message: a.message,
      properties: { file: a.file, startLine: a.line, startColumn: a.column, title: a.title },
    })),
};

export function run(runner: Runner = githubRunner): Promise<void> {
  return runAction(releaseProcesses, runner);
}
