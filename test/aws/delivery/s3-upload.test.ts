/**
 * Bundle upload against moto's S3 server on loopback: the real S3 wire protocol (PutObject,
 * multipart, versioning, HeadObject), driven through the same client factory production uses.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createS3Client } from "#core/aws/clients.js";
import { buildBundle } from "#core/bundle/build.js";
import { uploadBundle } from "#core/bundle/upload.js";
import { UserError } from "#core/util/errors.js";
import { applyEnv, type MotoServer, startMoto } from "../../support/moto.js";
import { repoRoot } from "../../support/repo.js";

const bucket = "camunda-test-artifacts";
const work = mkdtempSync(path.join(tmpdir(), "s3-upload-"));
let moto: MotoServer;
let restoreEnv: () => void;
let s3: S3Client;

before(async () => {
  moto = await startMoto();
  restoreEnv = applyEnv(moto.env);
  s3 = createS3Client({ region: "eu-west-2" });
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: "eu-west-2" },
    }),
  );
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
  );
});

after(async () => {
  s3?.destroy();
  restoreEnv?.();
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function bodySha256(key: string, versionId?: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  const bytes = await object.Body!.transformToByteArray();
  return createHash("sha256").update(bytes).digest("hex");
}

describe("bundle upload against moto's S3", () => {
  test("uploads under the content-addressed key with SSE, and reports ETag and VersionId from the response", async () => {
    const built = await buildBundle({ root: repoRoot, out: path.join(work, "bundle.zip") });
    const progress: string[] = [];
    const result = await uploadBundle({
      client: s3,
      bucket,
      prefix: "bundles/",
      file: built.file,
      sha256: built.sha256,
      onProgress: (line) => progress.push(line),
    });
    assert.equal(result.key, `bundles/${built.sha256}.zip`);
    assert.equal(result.skipped, false);
    assert.equal(result.parts, 1);
    assert.match(result.etag, /^"[0-9a-f]{32}"$/);
    assert.ok(result.versionId, "a versioned bucket returns a VersionId");
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: result.key }));
    assert.equal(head.ETag, result.etag);
    assert.equal(head.VersionId, result.versionId);
    assert.equal(head.ServerSideEncryption, "AES256");
    assert.equal(head.Metadata?.sha256, built.sha256);
    assert.equal(head.ContentLength, built.size);
    assert.equal(await bodySha256(result.key, result.versionId), built.sha256);
    assert.ok(progress.some((l) => l.includes("part 1")));
  });

  test("skips the upload when the same bundle is already there and returns the stored ETag and VersionId", async () => {
    const built = await buildBundle({ root: repoRoot, out: path.join(work, "again.zip") });
    const first = await uploadBundle({
      client: s3,
      bucket,
      prefix: "skip/",
      file: built.file,
      sha256: built.sha256,
    });
    const progress: string[] = [];
    const second = await uploadBundle({
      client: s3,
      bucket,
      prefix: "skip/",
      file: built.file,
      sha256: built.sha256,
      onProgress: (line) => progress.push(line),
    });
    assert.equal(second.skipped, true);
    assert.equal(second.parts, 0);
    assert.equal(second.etag, first.etag);
    assert.equal(second.versionId, first.versionId, "no new version was written");
    assert.match(progress.join("\n"), /already exists \(same sha256\): upload skipped/);
  });

  test("a bundle over the part size goes up in parts and its multipart ETag is what is reported", async () => {
    // A fixture tree with an incompressible 11 MiB file: three 5 MiB parts.
    const root = path.join(work, "big");
    mkdirSync(path.join(root, "deploy/scripts"), { recursive: true });
    writeFileSync(
      path.join(root, "deploy/appspec.yml"),
      "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/x\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n      timeout: 60\n",
    );
    writeFileSync(path.join(root, "deploy/scripts/start.sh"), "#!/usr/bin/env bash\nset -euo pipefail\n", {
      mode: 0o755,
    });
    writeFileSync(path.join(root, "deploy/payload.bin"), randomBytes(11 * 1024 * 1024));
    const built = await buildBundle({
      root,
      out: path.join(work, "big.zip"),
      layout: [
        { from: "deploy/appspec.yml", to: "appspec.yml" },
        { from: "deploy/scripts/", to: "scripts/" },
        { from: "deploy/payload.bin", to: "payload.bin" },
      ],
    });
    const partSize = 5 * 1024 * 1024;
    const result = await uploadBundle({
      client: s3,
      bucket,
      prefix: "big/",
      file: built.file,
      sha256: built.sha256,
      partSize,
    });
    assert.equal(result.parts, Math.ceil(built.size / partSize));
    assert.equal(result.parts, 3);
    assert.match(result.etag, /^"[0-9a-f]{32}-3"$/, "S3's multipart ETag names the part count");
    assert.ok(result.versionId);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: result.key }));
    assert.equal(head.ETag, result.etag);
    assert.equal(head.ServerSideEncryption, "AES256");
    assert.equal(await bodySha256(result.key), built.sha256);
  });

  test("with a KMS key the object is stored with SSE-KMS under that key", async () => {
    const built = await buildBundle({ root: repoRoot, out: path.join(work, "kms.zip") });
    const keyId = "arn:aws:kms:eu-west-2:123456789012:key/0b5ad0e6-1111-2222-3333-444455556666";
    const result = await uploadBundle({
      client: s3,
      bucket,
      prefix: "kms/",
      file: built.file,
      sha256: built.sha256,
      kmsKeyId: keyId,
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: result.key }));
    assert.equal(head.ServerSideEncryption, "aws:kms");
    assert.equal(head.SSEKMSKeyId, keyId);
  });

  test("a missing bucket is one sentence that names it", async () => {
    const built = await buildBundle({ root: repoRoot, out: path.join(work, "nobucket.zip") });
    await assert.rejects(
      uploadBundle({
        client: s3,
        bucket: "no-such-bucket-here",
        prefix: "",
        file: built.file,
        sha256: built.sha256,
      }),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, /s3:\/\/no-such-bucket-here\/[0-9a-f]{64}\.zip/);
        return true;
      },
    );
  });
});
