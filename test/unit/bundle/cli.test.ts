import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { main } from "#core/cli/main.js";
import { repoRoot } from "../../support/repo.js";

const work = mkdtempSync(path.join(tmpdir(), "delivery-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...args: unknown[]) => out.push(args.join(" "));
  console.error = (...args: unknown[]) => err.push(args.join(" "));
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(argv, { root: repoRoot }), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
  }
}

describe("camunda-gitops package and deploy", () => {
  test("package --out builds the bundle without AWS and prints its sha256", async () => {
    const out = path.join(work, "bundle.zip");
    const run = await cli("package", "--out", out, "--json");
    assert.equal(run.code, 0, run.err);
    const result = JSON.parse(run.out) as { file: string; sha256: string; size: number; upload?: unknown };
    assert.equal(result.file, out);
    assert.equal(result.sha256, createHash("sha256").update(readFileSync(out)).digest("hex"));
    assert.equal(result.upload, undefined);
  });

  test("configuration mistakes are usage errors (exit 2) with one sentence", async () => {
    const local = await cli("package", "--out", path.join(work, "x.zip"), "--env", "local");
    assert.equal(local.code, 2);
    assert.match(local.err, /environments\/local\.yaml has no aws section/);
    // Uploading for an environment needs the workers image's digest: hosts never build the image.
    const noDigest = await cli("package", "--out", path.join(work, "y.zip"), "--env", "dev");
    assert.equal(noDigest.code, 2);
    assert.match(
      noDigest.err,
      /a bundle for dev needs the digest of the workers image in its ECR repository/,
    );
    const badDigest = await cli(
      "package",
      "--out",
      path.join(work, "z.zip"),
      "--env",
      "dev",
      "--workers-image-digest",
      "latest",
    );
    assert.equal(badDigest.code, 2);
    assert.match(
      badDigest.err,
      /the workers image digest must look like sha256:<64 hex digits>, got "latest"/,
    );
    const noEnv = await cli("deploy");
    assert.equal(noEnv.code, 2);
    assert.match(noEnv.err, /deploy: --env is required/);
    const half = await cli("deploy", "--env", "dev", "--bucket", "b");
    assert.equal(half.code, 2);
    assert.match(half.err, /--bucket and --key go together/);
    const active = await cli(
      "deploy",
      "--env",
      "dev",
      "--bucket",
      "b",
      "--key",
      "k.zip",
      "--if-active",
      "queue",
    );
    assert.equal(active.code, 2);
    assert.match(active.err, /--if-active must be wait or fail, got "queue"/);
  });
});
