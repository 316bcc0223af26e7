import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { runningLocalEngine } from "#core/engine/running.js";
import { releaseOptions } from "#core/options/release.js";
import { cliNames, parseOptions } from "#core/options/rules.js";
import { connect } from "#core/release/connect.js";
import { releaseIntegrity } from "#core/release/integrity.js";
import { provenanceFromEnvironment } from "#core/release/provenance.js";
import { planRelease } from "#core/release/release.js";
import { formatPlanText, planJson } from "#core/release/report.js";
import { UsageError } from "#core/util/errors.js";

const help = `Usage: camunda-gitops plan --env <name> [--ref <tag|sha> [--allow-unmerged]] [--migrate] [--format text|json]

Shows what \`camunda-gitops release\` would change in an environment, without writing to its engine:
for every BPMN/DMN file under processes/ (examples/ and tests/ excluded), the engine's latest version
of each key it defines and whether the file is new, changed (with what changed) or unchanged; the
processes released from here whose file left git; and for every process with running instances on
older versions: how many per version and per activity, where each activity maps to (the same id, or
processes/migrations/<key>.yaml), what cannot move and why, and whether the release moves them; and,
beside them, the groups, users, memberships, grants and Tasklist filters the environment file's
identities section would create, change or revoke (docs/identities.md).

Options:
  --env <name>       environment file environments/<name>.yaml (local, dev, staging, prod)
  --ref <ref>        plan the files of this git tag, branch or commit instead of the working tree;
                     it must be on the main branch
  --allow-unmerged   accept a --ref that is not on the main branch (as release: only where the
                     environment file sets camunda.allowUnmergedRefs: true)
  --migrate          plan as \`release --migrate\` would (move instances where the policy is never)
  --format <f>       text (default) or json

Credentials: CAMUNDA_USERNAME and CAMUNDA_PASSWORD; for "local" the file written by
\`camunda-gitops engine start\` is used when they are not set. For "local" the engine this checkout runs (npm start or
\`camunda-gitops engine start\`, on its own port) is used. CAMUNDA_URL overrides the REST URL.

Exit codes: 0 planned, 1 the engine could not be read, 2 usage or configuration error.`;

export const command: Command = {
  help,
  async run(argv, { root }) {
    const { values } = parseCommandArgs("plan", argv, {
      env: { type: "string" },
      ref: { type: "string" },
      migrate: { type: "boolean" },
      "allow-unmerged": { type: "boolean" },
      format: { type: "string" },
    });
    const options = parseOptions(
      releaseOptions,
      {
        environment: values.env,
        ref: values.ref,
        migrate: values.migrate,
        "allow-unmerged": values["allow-unmerged"],
      },
      cliNames("plan", { environment: "env" }),
    );
    const format = values.format ?? "text";
    if (format !== "text" && format !== "json") {
      throw new UsageError(`plan: --format must be text or json, got "${format}".`);
    }
    const connection = connect(options.environment, { root, localEngine: runningLocalEngine(root) });
    // On stderr: stdout stays the plan (or its JSON).
    process.stderr.write(`Engine: ${connection.engine}\n`);
    const { allowUnmerged } = releaseIntegrity(connection, options);
    const { plan, rows } = await planRelease({
      client: connection.client,
      target: connection.target,
      repoRoot: root,
      ref: options.ref,
      migrate: options.migrate,
      allowUnmerged,
      provenance: await provenanceFromEnvironment(process.env, root),
      identities: connection.identities,
    });
    process.stdout.write(
      format === "json"
        ? `${JSON.stringify(planJson(plan, rows), null, 2)}\n`
        : `${formatPlanText(plan, rows)}\n`,
    );
    return 0;
  },
};
