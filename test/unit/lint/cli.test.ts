import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { repoPath } from "../../support/repo.js";

/** Runs the real CLI; the fixtures' own config keeps the repository's registry out of these runs. */
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [repoPath("bin/camunda-gitops.mjs"), "lint", ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const rules = (name: string) => path.join("test/fixtures/lint/rules", name);

describe("camunda-gitops lint exit codes", () => {
  test("1 when a finding fails, with file:line:col in the text output", () => {
    const { code, stdout } = cli(
      repoPath(rules("duplicate-id/fail.bpmn")),
      "--config",
      repoPath("test/fixtures/lint/pack-only.json"),
    );
    assert.equal(code, 1);
    assert.match(
      stdout,
      /test\/fixtures\/lint\/rules\/duplicate-id\/fail\.bpmn:6:47 {2}error {4}deploy {3}camunda-gitops\/duplicate-id/,
    );
  });

  test("0 without errors; --max-warnings 0 turns warnings into a failure", () => {
    const args = [
      repoPath(rules("dmn-type-ref/fail.dmn")),
      "--config",
      repoPath("test/fixtures/lint/pack-only.json"),
    ];
    const relaxed = cli(...args, "--format", "json");
    assert.equal(relaxed.code, 0, relaxed.stderr);
    const json = JSON.parse(relaxed.stdout);
    assert.equal(json.summary.errors, 0);
    assert.ok(json.summary.warnings >= 1);
    assert.equal(cli(...args, "--max-warnings", "0").code, 1);
  });

  test("2 for usage errors, with one sentence and no stack trace", () => {
    const badFormat = cli("--format", "xml");
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be one of text, json, github, sarif/);
    const missing = cli("no/such/folder");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\/folder does not exist/);
    assert.ok(!/\n\s+at /.test(missing.stderr));
  });

  test("2 for a configuration that is not JSON, without echoing a byte of it", (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), "lint-config-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const secret = path.join(dir, "passwd");
    writeFileSync(secret, "root:x:0:0:SECRET-TOKEN-1234:/root:/bin/bash\n");
    const result = cli(repoPath(rules("duplicate-id/fail.bpmn")), "--config", secret);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is not valid JSON/);
    for (const fragment of ["root", "SECRET", "0:0", "bash"])
      assert.ok(!result.stderr.includes(fragment), result.stderr);
    assert.ok(!result.stdout.includes("SECRET"));
  });
});
