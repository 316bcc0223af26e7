import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { HeadObjectCommand, type S3Client, type ServerSideEncryption } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { awsErrorName, describeAwsError } from "#core/aws/clients.js";
import { UserError } from "#core/util/errors.js";

/** S3's smallest part size; lib-storage switches to multipart above one part. */
export const defaultPartSize = 8 * 1024 * 1024;

export interface UploadOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix, empty or ending in "/". */
  prefix: string;
  file: string;
  sha256: string;
  /** Bytes per part; lib-storage uploads in one PutObject when the file fits in one part. */
  partSize?: number;
  /** Use SSE-KMS with this key; SSE-S3 (AES256) otherwise. */
  kmsKeyId?: string;
  onProgress?: (line: string) => void;
}

export interface UploadResult {
  bucket: string;
  key: string;
  etag: string;
  versionId?: string;
  size: number;
  /** True when an object with this content address was already there and nothing was sent. */
  skipped: boolean;
  /** Parts sent (1 for a single PutObject, 0 when skipped). */
  parts: number;
}

/** The content-addressed key: the same bundle always lands on the same key. */
export function bundleKey(prefix: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256 hex digest: ${sha256}`);
  return `${prefix}${sha256}.zip`;
}

export async function uploadBundle(options: UploadOptions): Promise<UploadResult> {
  const { client, bucket, file, sha256 } = options;
  const key = bundleKey(options.prefix, sha256);
  const size = (await stat(file)).size;
  const say = options.onProgress ?? (() => {});

  const existing = await headObject(client, bucket, key);
  if (existing && existing.ContentLength === size && existing.ETag) {
    say(`s3://${bucket}/${key} already exists (same sha256): upload skipped`);
    return { bucket, key, etag: existing.ETag, versionId: existing.VersionId, size, skipped: true, parts: 0 };
  }

  const partSize = Math.max(options.partSize ?? defaultPartSize, 5 * 1024 * 1024);
  const sse: ServerSideEncryption = options.kmsKeyId ? "aws:kms" : "AES256";
  const upload = new Upload({
    client,
    partSize,
    queueSize: 2,
    leavePartsOnError: false,
    params: {
      Bucket: bucket,
      Key: key,
      Body: createReadStream(file),
      ContentLength: size,
      ContentType: "application/zip",
      ServerSideEncryption: sse,
      ...(options.kmsKeyId ? { SSEKMSKeyId: options.kmsKeyId } : {}),
      Metadata: { sha256 },
    },
  });
  const parts = new Set<number>();
  upload.on("httpUploadProgress", (progress) => {
    if (progress.part !== undefined && !parts.has(progress.part)) {
      parts.add(progress.part);
      say(
        `uploading s3://${bucket}/${key}: part ${progress.part} (${progress.loaded ?? 0} of ${size} bytes)`,
      );
    }
  });
  let result: Awaited<ReturnType<Upload["done"]>>;
  try {
    result = await upload.done();
  } catch (error) {
    throw new UserError(
      `uploading the bundle to s3://${bucket}/${key} failed: ${describeAwsError(error)}; check the bucket name and that the deploy role may s3:PutObject there.`,
      { cause: error },
    );
  }
  if (!result.ETag)
    throw new UserError(`S3 returned no ETag for s3://${bucket}/${key}; the upload cannot be pinned.`);
  return {
    bucket,
    key,
    etag: result.ETag,
    versionId: result.VersionId,
    size,
    skipped: false,
    parts: Math.max(parts.size, 1),
  };
}

async function headObject(client: S3Client, bucket: string, key: string) {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    const name = awsErrorName(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === "NotFound" || name === "NoSuchKey" || status === 404) return undefined;
    if (status === 403 || name === "Forbidden" || name === "AccessDenied") {
      throw new UserError(
        `S3 refused HeadObject on s3://${bucket}/${key} (403): the deploy role needs s3:GetObject on the bundle prefix and s3:ListBucket on ${bucket} to tell a missing bundle from a forbidden one.`,
        { cause: error },
      );
    }
    throw new UserError(`checking s3://${bucket}/${key} failed: ${describeAwsError(error)}.`, {
      cause: error,
    });
  }
}
