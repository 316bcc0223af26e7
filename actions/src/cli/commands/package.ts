import path from "node:path";
import { lastPackageFile, saveLastPackage } from "#core/bundle/last-package.js";
import { packageBundle } from "#core/bundle/publish.js";
import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { packageOptions } from "#core/options/package.js";
import { cliNames, parseOptions } from "#core/options/rules.js";
import { displayPath, localDir } from "#core/util/paths.js";
import { step } from "#core/util/progress.js";

const help = `Usage: camunda-gitops package [--out FILE] [--env ENV --workers-image-digest sha256:…] [--part-size-mib N] [--kms-key-id KEY] [--json]

Builds the CodeDeploy bundle (deploy/appspec.yml, deploy/scripts/, deploy/docker-compose.yml and the
digest of the workers image) as a deterministic zip: the same commit always gives the same bytes and
sha256. appspec.yml is validated against the bundle first (hooks present and executable, timeouts
within CodeDeploy's limits). The hosts pull the workers image by that digest and never build it; the
deploy workflow builds and pushes it (npm run build:workers, then workers/Dockerfile).

  --out FILE         where to write the zip (default .local/delivery/bundle.zip); nothing is uploaded
                     unless --env is given
  --env ENV          also upload it to ENV's artifact bucket (environments/ENV.yaml, aws.artifactBucket)
                     under <artifactPrefix><sha256>.zip, with server-side encryption; skipped when that
                     object already exists. AWS credentials come from the usual AWS environment.
  --workers-image-digest D
                     the digest (sha256:…) of the workers image in ENV's ECR repository; required
                     with --env
  --part-size-mib N  multipart part size in MiB (default 8, minimum 5)
  --kms-key-id KEY   encrypt the object with this KMS key (SSE-KMS) instead of SSE-S3
  --json             print the result as JSON on stdout

The upload is remembered in .local/delivery/last-package.json for \`camunda-gitops deploy --env ENV\`.
Exit codes: 0 ok, 1 the work failed, 2 usage or configuration error.`;

export const command: Command = {
  help,
  async run(argv, { root }) {
    const { values } = parseCommandArgs("package", argv, {
      out: { type: "string" },
      env: { type: "string" },
      "part-size-mib": { type: "string" },
      "kms-key-id": { type: "string" },
      "workers-image-digest": { type: "string" },
      json: { type: "boolean", default: false },
    });
    const options = parseOptions(
      packageOptions,
      { ...values, environment: values.env },
      cliNames("package", { environment: "env" }),
    );
    const out = path.resolve(values.out ?? path.join(localDir(root), "delivery", "bundle.zip"));
    const environment = options.environment;
    const result = await step(environment ? `Packaging and uploading to ${environment}` : "Packaging", (s) =>
      packageBundle({
        root,
        out,
        environment,
        partSize: options.partSizeBytes,
        kmsKeyId: options.kmsKeyId,
        workersImageDigest: options.workersImageDigest,
        onProgress: s.update,
      }),
    );
    const { bundle, upload } = result;
    if (upload && environment) {
      saveLastPackage(
        {
          environment,
          bucket: upload.bucket,
          key: upload.key,
          etag: upload.etag,
          versionId: upload.versionId,
          sha256: bundle.sha256,
          uploadedAt: new Date().toISOString(),
        },
        lastPackageFile(root),
      );
    }
    if (values.json) {
      console.log(
        JSON.stringify(
          {
            file: displayPath(bundle.file),
            sha256: bundle.sha256,
            size: bundle.size,
            files: bundle.entries.length,
            ...(upload ? { upload } : {}),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    console.log(
      `bundle   ${displayPath(bundle.file)} (${bundle.entries.length} files, ${bundle.size} bytes)`,
    );
    console.log(`sha256   ${bundle.sha256}`);
    if (upload) {
      console.log(
        `s3       s3://${upload.bucket}/${upload.key}${upload.skipped ? " (already there, not uploaded again)" : ` (${upload.parts} part(s))`}`,
      );
      console.log(`etag     ${upload.etag}`);
      console.log(`version  ${upload.versionId ?? "(bucket not versioned)"}`);
      console.log(`next     camunda-gitops deploy --env ${environment}`);
    }
    return 0;
  },
};
