/**
 * GitHub adapter for packaging: inputs → packageBundle (actions/src/bundle) → outputs and job summary.
 * All the work, and every check, lives in the core; this file only translates.
 */
import path from "node:path";
import * as core from "@actions/core";
import { packageBundle } from "#core/bundle/publish.js";
import { UserError } from "#core/util/errors.js";

async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const environment = core.getInput("environment") || undefined;
  const out = core.getInput("out") || path.join(process.env.RUNNER_TEMP ?? workspace, "camunda-bundle.zip");
  const partMiB = Number(core.getInput("part-size-mib") || "8");
  if (!Number.isInteger(partMiB) || partMiB < 5)
    throw new UserError(
      `input part-size-mib must be a whole number ≥ 5, got "${core.getInput("part-size-mib")}".`,
      { exitCode: 2 },
    );

  const { bundle, upload } = await packageBundle({
    root: workspace,
    out: path.resolve(workspace, out),
    environment,
    partSize: partMiB * 1024 * 1024,
    kmsKeyId: core.getInput("kms-key-id") || undefined,
    workersImageDigest: core.getInput("workers-image-digest") || undefined,
    onProgress: (line) => core.info(line),
  });
  core.setOutput("file", bundle.file);
  core.setOutput("sha256", bundle.sha256);
  core.setOutput("size", String(bundle.size));
  const rows = [
    [
      { data: "", header: true },
      { data: "", header: true },
    ],
    ["sha256", `<code>${bundle.sha256}</code>`],
    ["size", `${bundle.size} bytes, ${bundle.entries.length} files`],
  ];
  if (upload) {
    core.setOutput("bucket", upload.bucket);
    core.setOutput("key", upload.key);
    core.setOutput("etag", upload.etag);
    core.setOutput("version-id", upload.versionId ?? "");
    core.setOutput("skipped", String(upload.skipped));
    rows.push(
      ["object", `<code>s3://${upload.bucket}/${upload.key}</code>`],
      ["upload", upload.skipped ? "skipped: the same bundle was already there" : `${upload.parts} part(s)`],
      ["ETag / version", `<code>${upload.etag}</code> / <code>${upload.versionId ?? "unversioned"}</code>`],
    );
  }
  await core.summary
    .addHeading(`Runtime bundle${environment ? ` for ${environment}` : ""}`, 3)
    .addTable(rows)
    .write();
}

run().catch((error: unknown) => {
  // A UserError is a sentence meant for people; anything else is a bug and keeps its stack in the log.
  if (error instanceof UserError) {
    for (const line of error.details) core.error(line);
    core.setFailed(error.message);
  } else {
    core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
});
