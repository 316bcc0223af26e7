import { createS3Client } from "#core/aws/clients.js";
import { environmentsDir, loadEnvironment } from "#core/environments/load.js";
import type { AwsConfig } from "#core/environments/schema.js";
import { UsageError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";
import { type BuiltBundle, buildBundle } from "./build.js";
import { type UploadResult, uploadBundle } from "./upload.js";

/** The AWS settings of an environment, or a usage error naming the file when it has none. */
export function awsConfigOf(environment: string, root: string): AwsConfig {
  const { config, file } = loadEnvironment(environment, { dir: environmentsDir(root) });
  if (!config.aws) {
    throw new UsageError(
      `${displayPath(file)} has no aws section, so there is nowhere to deliver to; choose an AWS environment such as dev.`,
    );
  }
  return config.aws;
}

export interface PackageOptions {
  out: string;
  /** Repository root (the CLI's checkout; the GitHub Action passes GITHUB_WORKSPACE). */
  root: string;
  /** Upload to this environment's artifact bucket after building. */
  environment?: string;
  partSize?: number;
  /** SSE-KMS key for the object (when the bucket policy demands KMS); SSE-S3 otherwise. */
  kmsKeyId?: string;
  /** Digest of the workers image pushed to ECR; required when uploading, since hosts never build. */
  workersImageDigest?: string;
  onProgress?: (line: string) => void;
}

export interface PackageResult {
  bundle: BuiltBundle;
  upload?: UploadResult;
}

/** Build, validate and (with an environment) upload: the core of both the CLI verb and the action. */
export async function packageBundle(options: PackageOptions): Promise<PackageResult> {
  // Resolve the environment first: a typo must fail before any work is done.
  const aws = options.environment ? awsConfigOf(options.environment, options.root) : undefined;
  if (aws && options.workersImageDigest === undefined) {
    throw new UsageError(
      `a bundle for ${options.environment} needs the digest of the workers image in its ECR repository (hosts pull that image and never build one); push the image first and pass its digest (--workers-image-digest, or the action's workers-image-digest input).`,
    );
  }
  const bundle = await buildBundle({
    out: options.out,
    root: options.root,
    workersImageDigest: options.workersImageDigest,
  });
  options.onProgress?.(
    `built ${displayPath(bundle.file)}: ${bundle.entries.length} files, ${bundle.size} bytes, sha256 ${bundle.sha256}`,
  );
  if (!aws) return { bundle };
  const client = createS3Client({ region: aws.region });
  try {
    const upload = await uploadBundle({
      client,
      bucket: aws.artifactBucket,
      prefix: aws.artifactPrefix,
      file: bundle.file,
      sha256: bundle.sha256,
      partSize: options.partSize,
      kmsKeyId: options.kmsKeyId,
      onProgress: options.onProgress,
    });
    return { bundle, upload };
  } finally {
    client.destroy();
  }
}
