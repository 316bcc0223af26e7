/**
 * `camunda-gitops engine probe --env E`: what a running engine can do, compared with the production
 * image's capabilities in engine/run-7.23.0.yaml. Read-only (GET requests) against every environment
 * but local; the full probe deploys, runs and deletes the probe models.
 */
import { type CommandContext, parseCommandArgs } from "#core/cli/command.js";
import { runningLocalEngine } from "#core/engine/running.js";
import { loadManifest, manifestFile } from "#core/fidelity/manifest.js";
import { formatProbeReport, type ProbeMode, probeEngine } from "#core/probe/probe.js";
import { connect } from "#core/release/connect.js";
import { UsageError } from "#core/util/errors.js";
import { step } from "#core/util/progress.js";

export const probeHelp = `  engine probe --env <name> [--full] [--format text|json]
      Asks the engine of an environment what it can do and compares it with the production image
      (engine/run-7.23.0.yaml): version, script engines, Spin XML and JSON, connectors, time zone and
      date offsets, filters created at start, demo users, authorization, history level, TTL enforcement.
      Read-only (GET requests only) for every environment but local, where it deploys, runs and then
      deletes its probe models. --full does that elsewhere too, only where the environment file allows
      smoke tests. Exit code 0 when everything checked is as in production, 1 when something differs.`;

export async function probe(argv: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs("engine probe", argv, {
    env: { type: "string" },
    full: { type: "boolean" },
    format: { type: "string" },
  });
  if (!values.env) {
    throw new UsageError(
      "engine probe: --env is required (e.g. --env local); see `camunda-gitops engine --help`.",
    );
  }
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") {
    throw new UsageError(`engine probe: --format must be text or json, got "${format}".`);
  }
  const connection = connect(values.env, {
    root: context.root,
    localEngine: runningLocalEngine(context.root),
  });
  if (values.full && values.env !== "local" && !connection.allowSmokeTests) {
    throw new UsageError(
      `engine probe: --full deploys and runs probe models, and environments/${values.env}.yaml does not allow smoke tests (camunda.allowSmokeTests); run the read-only probe there.`,
    );
  }
  const mode: ProbeMode = values.env === "local" || values.full ? "full" : "read-only";
  const manifest = loadManifest(manifestFile(context.root));
  const report = await step(`Probing the engine of ${values.env} (${mode})`, (s) =>
    probeEngine(connection.client, { mode, expected: manifest.capabilities, onProgress: s.update }),
  );
  process.stdout.write(
    format === "json"
      ? `${JSON.stringify({ environment: values.env, image: manifest.image, ...report }, null, 2)}\n`
      : `${formatProbeReport(report, values.env)}\n`,
  );
  return report.differences === 0 ? 0 : 1;
}
