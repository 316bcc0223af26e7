import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { credentialsFile, isValidUserId, resolveEngineCredentials } from "#core/engine/credentials.js";
import { UsageError } from "#core/util/errors.js";

describe("local engine credentials", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "engine-credentials-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("generates a strong password once into credentials.json (mode 0600) and reuses it", () => {
    const first = resolveEngineCredentials({ dataDir, env: {}, generate: true })!;
    assert.equal(first.source, "generated");
    assert.equal(first.username, "admin");
    assert.ok(first.password.length >= 32);
    assert.equal(first.file, credentialsFile(dataDir));
    assert.equal(statSync(credentialsFile(dataDir)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(credentialsFile(dataDir), "utf8")), {
      username: "admin",
      password: first.password,
    });
    const second = resolveEngineCredentials({ dataDir, env: {}, generate: true })!;
    assert.equal(second.source, "file");
    assert.equal(second.password, first.password);
  });

  it("gives two data folders two different passwords", () => {
    const other = mkdtempSync(path.join(tmpdir(), "engine-credentials-"));
    try {
      const a = resolveEngineCredentials({ dataDir, env: {}, generate: true })!;
      const b = resolveEngineCredentials({ dataDir: other, env: {}, generate: true })!;
      assert.notEqual(a.password, b.password);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("prefers CAMUNDA_BPM_ADMIN_USER_ID / _PASSWORD and then writes no file", () => {
    const env = { CAMUNDA_BPM_ADMIN_USER_ID: "ops", CAMUNDA_BPM_ADMIN_USER_PASSWORD: "from-env" };
    const credentials = resolveEngineCredentials({ dataDir, env, generate: true })!;
    assert.deepEqual(credentials, { username: "ops", password: "from-env", source: "environment" });
    assert.throws(() => statSync(credentialsFile(dataDir)), /ENOENT/);
  });

  it("refuses one of the two variables without the other", () => {
    assert.throws(
      () => resolveEngineCredentials({ dataDir, env: { CAMUNDA_BPM_ADMIN_USER_ID: "ops" }, generate: true }),
      (error: unknown) =>
        error instanceof UsageError && /CAMUNDA_BPM_ADMIN_USER_PASSWORD is not set/.test(error.message),
    );
    assert.throws(
      () =>
        resolveEngineCredentials({ dataDir, env: { CAMUNDA_BPM_ADMIN_USER_PASSWORD: "x" }, generate: true }),
      (error: unknown) =>
        error instanceof UsageError && /CAMUNDA_BPM_ADMIN_USER_ID is not set/.test(error.message),
    );
  });

  it("refuses an admin user id the engine would reject at startup", () => {
    const env = { CAMUNDA_BPM_ADMIN_USER_ID: "test-admin", CAMUNDA_BPM_ADMIN_USER_PASSWORD: "x" };
    assert.throws(
      () => resolveEngineCredentials({ dataDir, env, generate: true }),
      (error: unknown) =>
        error instanceof UsageError && /"test-admin" is not a valid Camunda user id/.test(error.message),
    );
    assert.equal(isValidUserId("testadmin1"), true);
    assert.equal(isValidUserId("camunda-admin"), true);
    assert.equal(isValidUserId("ops.admin"), false);
  });

  it("says how to recover from a damaged credentials file", () => {
    writeFileSync(credentialsFile(dataDir), '{"username": "admin"}');
    assert.throws(
      () => resolveEngineCredentials({ dataDir, env: {}, generate: true }),
      (error: unknown) =>
        error instanceof UsageError && /not a valid credentials file.*delete it/.test(error.message),
    );
  });

  it("returns nothing without generate when there is neither environment nor file", () => {
    assert.equal(resolveEngineCredentials({ dataDir, env: {}, generate: false }), undefined);
  });
});
