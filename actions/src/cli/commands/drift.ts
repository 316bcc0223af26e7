import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { checkDrift, driftJson, formatDriftMarkdown, formatDriftText } from "#core/drift/index.js";
import { runningLocalEngine } from "#core/engine/running.js";
import { driftCliOptions } from "#core/options/drift.js";
import { cliNames, parseOptions } from "#core/options/rules.js";
import { connect } from "#core/release/connect.js";
import { provenanceFromEnvironment } from "#core/release/provenance.js";
import { UserError } from "#core/util/errors.js";
import { step } from "#core/util/progress.js";

const help = `Usage: camunda-gitops drift --env <name> [--ref <ref>] [--format text|json|markdown]

Compares what an environment's engine runs with the repository, without writing to the engine: every
latest process and decision version of the environment's tenant against processes/ (diagram layout,
exporter version, attribute order and whitespace do not count), and every deployment's origin against
this repository's releases (the release.json each release deployment carries).

  in sync     the engine's latest version is the file
  modified    the engine's version behaves differently (the changes are listed, git → engine)
  unmanaged   a key the engine has and git does not, never released from this repository
  missing     a key of a file that is not deployed
  removed     released from here, its file left git, and it can still be started
  retired     not in git and suspended (not drift)
  foreign     the latest version was deployed by anything but this repository's releases
              (Camunda Modeler, a REST call by hand, another repository)

Options:
  --env <name>       environment file environments/<name>.yaml (local, dev, staging, prod)
  --ref <ref>        compare with the files of this git tag, branch or commit (default: the working tree)
  --format <f>       text (default), json or markdown

Credentials: CAMUNDA_USERNAME and CAMUNDA_PASSWORD (read access is enough); for "local" the file written
by \`camunda-gitops engine start\` is used when they are not set. For "local" the engine this checkout runs (npm start or
\`camunda-gitops engine start\`, on its own port) is used. CAMUNDA_URL overrides the REST URL.

Exit codes (as terraform plan -detailed-exitcode): 0 in sync, 2 drift, 1 the check failed (engine
unreachable, refused credentials, unreadable file, and also a usage or configuration error, so that 2
always means drift).`;

export const command: Command = {
  help,
  async run(argv, context) {
    try {
      return await checkEnvironment(argv, context.root);
    } catch (error) {
      // 2 means drift here; a usage or configuration error must not read as one.
      if (error instanceof UserError && error.exitCode === 2) {
        throw new UserError(error.message, { exitCode: 1, details: error.details });
      }
      throw error;
    }
  },
};

async function checkEnvironment(argv: string[], root: string): Promise<number> {
  const { values } = parseCommandArgs("drift", argv, {
    env: { type: "string" },
    ref: { type: "string" },
    format: { type: "string" },
  });
  const options = parseOptions(
    driftCliOptions,
    { ...values, environment: values.env },
    cliNames("drift", { environment: "env" }),
  );
  const connection = connect(options.environment, { root, localEngine: runningLocalEngine(root) });
  const { repository } = await provenanceFromEnvironment(process.env, root);
  const report = await step(`Comparing ${connection.target.environment} with git`, (s) =>
    checkDrift({
      client: connection.client,
      target: connection.target,
      repoRoot: root,
      ref: options.ref,
      repository,
      onProgress: s.update,
    }),
  );
  const text =
    options.format === "json"
      ? JSON.stringify(driftJson(report), null, 2)
      : options.format === "markdown"
        ? formatDriftMarkdown(report)
        : formatDriftText(report);
  process.stdout.write(`${text}\n`);
  return report.inSync ? 0 : 2;
}
