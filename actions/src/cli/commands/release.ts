import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { runningLocalEngine } from "#core/engine/running.js";
import { loadManifest, manifestFile } from "#core/fidelity/manifest.js";
import { releaseOptions } from "#core/options/release.js";
import { cliNames, parseOptions } from "#core/options/rules.js";
import { connect } from "#core/release/connect.js";
import { releaseIntegrity } from "#core/release/integrity.js";
import { projectLintGate } from "#core/release/lint-gate.js";
import { provenanceFromEnvironment } from "#core/release/provenance.js";
import { ReleaseFollowUpError, release } from "#core/release/release.js";
import { formatReleaseText, releaseJson } from "#core/release/report.js";
import { UsageError } from "#core/util/errors.js";

const help = `Usage: camunda-gitops release --env <name> [--dry-run] [--ref <tag|sha> [--allow-unmerged]] [--smoke] [--migrate] [--expected-plan-digest D] [--allow-revocations] [--allow-dirty] [--format text|json]

Deploys every BPMN/DMN file under processes/ to an environment's engine in one atomic deployment:
  1. lint: refuses to start while the linter reports errors;
  2. plan: compares each file with the engine's latest version of its keys (see \`plan\`);
  3. deploy: POST /deployment/create with the environment's stable deployment name and source,
     duplicate filtering and deploy-changed-only (only changed files get new versions), its tenant,
     and a release.json resource recording the git commit;
  4. verify: every key's latest version must come from the file and have exactly its XML;
  5. retire: processes released from here whose file left git are suspended, where the environment
     sets camunda.removedProcesses: suspend (running instances finish, new ones are refused);
  6. migrate: running instances of older versions move to the new ones, where the environment's
     camunda.migration policy (or --migrate) says so and every instance is covered (see \`plan\`).
Releasing the same files again creates no new versions.
When the environment file declares identities (groups, users, grants, Tasklist filters), they are
planned beside the processes, given before step 3 and taken away (revocations) after step 4; a second
release changes nothing (docs/identities.md).

Options:
  --env <name>       environment file environments/<name>.yaml (local, dev, staging, prod)
  --dry-run          lint and plan only; deploy nothing
  --ref <ref>        release the files of this git tag, branch or commit (a rollback: the old files
                     become new versions); it must be on the main branch. The lint configuration is
                     always the checkout's, never the ref's
  --allow-unmerged   accept a --ref that is not on the main branch (refused unless the environment
                     file sets camunda.allowUnmergedRefs: true; never for prod)
  --smoke            start each newly deployed process once with its example variables from
                     processes/examples/, check it reaches a wait state, then delete the instance
                     (refused unless the environment file sets camunda.allowSmokeTests: true)
  --migrate          move running instances of older versions to the new ones in this release, even
                     where the environment's policy is never (instances the plan cannot cover stay)
  --expected-plan-digest D
                     deploy only if the fresh plan has this digest (plan --format json prints it)
  --allow-revocations
                     go ahead with revocations (grants, memberships, filters, removed users or
                     groups) in an environment whose file sets identities.confirmRevocations (prod)
  --allow-dirty      deploy although processes/ has uncommitted changes (always allowed for local)
  --format <f>       text (default) or json

Credentials: CAMUNDA_USERNAME and CAMUNDA_PASSWORD; for "local" the file written by
\`camunda-gitops engine start\` is used when they are not set. For "local" the engine this checkout runs (npm start or
\`camunda-gitops engine start\`, on its own port) is used. CAMUNDA_URL overrides the REST URL.

Exit codes: 0 released (or nothing to release), 1 refused or failed, 2 usage or configuration error.`;

export const command: Command = {
  help,
  async run(argv, { root }) {
    const { values } = parseCommandArgs("release", argv, {
      env: { type: "string" },
      ref: { type: "string" },
      "dry-run": { type: "boolean" },
      smoke: { type: "boolean" },
      migrate: { type: "boolean" },
      "expected-plan-digest": { type: "string" },
      "allow-revocations": { type: "boolean" },
      "allow-unmerged": { type: "boolean" },
      "allow-dirty": { type: "boolean" },
      format: { type: "string" },
    });
    const options = parseOptions(
      releaseOptions,
      { ...values, environment: values.env },
      cliNames("release", { environment: "env" }),
    );
    const format = values.format ?? "text";
    if (format !== "text" && format !== "json") {
      throw new UsageError(`release: --format must be text or json, got "${format}".`);
    }
    const connection = connect(options.environment, { root, localEngine: runningLocalEngine(root) });
    // On stderr: stdout stays the plan (or its JSON).
    process.stderr.write(`Engine: ${connection.engine}\n`);
    const integrity = releaseIntegrity(connection, options);
    const write = (result: Parameters<typeof releaseJson>[0]) =>
      process.stdout.write(
        format === "json"
          ? `${JSON.stringify(releaseJson(result), null, 2)}\n`
          : `${formatReleaseText(result)}\n`,
      );
    try {
      const result = await release({
        client: connection.client,
        target: connection.target,
        repoRoot: root,
        lint: projectLintGate({ toolRoot: root }),
        ref: options.ref,
        ...integrity,
        dryRun: options.dryRun,
        smoke: options.smoke,
        migrate: options.migrate,
        allowSmokeTests: connection.allowSmokeTests,
        expectedPlanDigest: options.expectedPlanDigest,
        provenance: await provenanceFromEnvironment(process.env, root),
        ...(options.smoke ? { engineCapabilities: loadManifest(manifestFile(root)).capabilities } : {}),
        identities: connection.identities,
        allowRevocations: options.allowRevocations,
        authenticatedUserPassword: connection.authenticatedUserPassword,
      });
      write(result);
      return 0;
    } catch (error) {
      // The deployment happened: show its table before the failure after it is reported.
      if (error instanceof ReleaseFollowUpError) write(error.result);
      throw error;
    }
  },
};
