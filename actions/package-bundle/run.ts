/**
 * The package-bundle action: the core's packageBundle (build, validate, upload with an environment)
 * and its result as outputs and a job summary table.
 */
import path from "node:path";
import { packageBundle } from "#core/bundle/publish.js";
import { packageOptions } from "#core/options/package.js";
import { type ActionDefinition, runAction } from "../shared/run-action.js";
import { githubRunner, type Runner } from "../shared/runner.js";

const row = (label: string, value: string) => `<tr><th>${label}</th><td>${value}</td></tr>`;

export const packageBundleAction: ActionDefinition<typeof packageOptions> = {
  what: "Packaging",
  options: packageOptions,
  inputs: ["environment", "part-size-mib", "kms-key-id", "workers-image-digest"],
  async run(options, { runner, workspace }) {
    const out = runner.input("out") || path.join(runner.env.RUNNER_TEMP ?? workspace, "camunda-bundle.zip");
    const { bundle, upload } = await packageBundle({
      root: workspace,
      out: path.resolve(workspace, out),
      environment: options.environment,
      partSize: options.partSizeBytes,
      kmsKeyId: options.kmsKeyId,
      workersImageDigest: options.workersImageDigest,
      onProgress: (line) => runner.info(line),
    });
    runner.output("file", bundle.file);
    runner.output("sha256", bundle.sha256);
    runner.output("size", String(bundle.size));
    const rows = [
      row("sha256", `<code>${bundle.sha256}</code>`),
      row("size", `${bundle.size} bytes, ${bundle.entries.length} files`),
    ];
    if (upload) {
      runner.output("bucket", upload.bucket);
      runner.output("key", upload.key);
      runner.output("etag", upload.etag);
      runner.output("version-id", upload.versionId ?? "");
      runner.output("skipped", String(upload.skipped));
      rows.push(
        row("object", `<code>s3://${upload.bucket}/${upload.key}</code>`),
        row(
          "upload",
          upload.skipped ? "skipped: the same bundle was already there" : `${upload.parts} part(s)`,
        ),
        row(
          "ETag / version",
          `<code>${upload.etag}</code> / <code>${upload.versionId ?? "unversioned"}</code>`,
        ),
      );
    }
    const title = `Runtime bundle${options.environment ? ` for ${options.environment}` : ""}`;
    await runner.summary(`<h3>${title}</h3>\n<table>${rows.join("")}</table>`);
  },
};

export function run(runner: Runner = githubRunner): Promise<void> {
  return runAction(packageBundleAction, runner);
}
