import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Backoff } from "#core/util/backoff.js";
import { topicNames } from "#workers/registry.js";
import { loadWorkerConfig } from "#workers/runtime/config.js";
import { failureReport, retriesLeft, truncateMessage } from "#workers/runtime/failure-report.js";
import { fromTyped, toTyped, UNPARSEABLE } from "#workers/runtime/variables.js";

const minimal = {
  CAMUNDA_URL: "http://localhost:8080/engine-rest/",
  CAMUNDA_USERNAME: "demo",
  CAMUNDA_PASSWORD: "pw",
};

describe("worker configuration", () => {
  it("applies the documented defaults", () => {
    const config = loadWorkerConfig(minimal);
    assert.equal(config.baseUrl, "http://localhost:8080/engine-rest");
    assert.equal(config.longPollMs, 20_000);
    assert.equal(config.retries, 3);
    assert.equal(config.parallelism, 32);
    assert.deepEqual(config.topics, topicNames);
    assert.match(config.workerId, /^.+-\d+-[0-9a-f]{6}$/);
  });

  it("gives every process (and every load) its own worker id", () => {
    assert.notEqual(loadWorkerConfig(minimal).workerId, loadWorkerConfig(minimal).workerId);
  });

  it("names each bad variable in one sentence, without echoing the password", () => {
    assert.throws(
      () =>
        loadWorkerConfig({
          CAMUNDA_URL: "ftp://x",
          CAMUNDA_PASSWORD: "hunter2",
          WORKER_PARALLELISM: "lots",
          WORKER_LONG_POLL_MS: "1800001",
          WORKER_TOPICS: "issue-policy,make-coffee",
        }),
      (error: Error & { exitCode?: number }) => {
        assert.equal(error.exitCode, 2);
        assert.match(error.message, /CAMUNDA_URL must be an http\(s\) URL/);
        assert.match(error.message, /CAMUNDA_USERNAME is not set/);
        assert.match(error.message, /WORKER_PARALLELISM must be a whole number from 1 to 1000/);
        assert.match(error.message, /WORKER_LONG_POLL_MS must be a whole number from 0 to 1800000/);
        assert.match(error.message, /unknown topic\(s\) make-coffee/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
  });

  it("defaults to the local file store, outside a cluster, with handler timeouts from the topics", () => {
    const config = loadWorkerConfig(minimal);
    assert.deepEqual(config.store, { kind: "file" });
    assert.equal(config.cluster, false);
    assert.equal(config.taskTimeoutMs, 0);
    assert.equal(config.taskTimeoutMaxMs, 300_000);
  });

  it("refuses the file store when told it runs in a cluster", () => {
    assert.throws(
      () => loadWorkerConfig({ ...minimal, WORKER_CLUSTER: "true" }),
      (error: Error & { exitCode?: number }) => {
        assert.equal(error.exitCode, 2);
        assert.match(
          error.message,
          /WORKER_CLUSTER=true but the idempotency store is the local file store \(WORKER_STORE=file\), so every host would issue its own policy for the same application; set WORKER_STORE=postgres and WORKER_DB_\*/,
        );
        return true;
      },
    );
    assert.throws(
      () => loadWorkerConfig({ ...minimal, WORKER_CLUSTER: "yes" }),
      /WORKER_CLUSTER must be true or false/,
    );
  });

  it("the PostgreSQL store names every missing connection setting, never echoing the password", () => {
    assert.throws(
      () =>
        loadWorkerConfig({
          ...minimal,
          WORKER_CLUSTER: "true",
          WORKER_STORE: "postgres",
          WORKER_DB_HOST: "db.internal",
          WORKER_DB_PASSWORD: "s3cret-value",
          WORKER_DB_SCHEMA: "Robert'); DROP",
        }),
      (error: Error) => {
        assert.match(error.message, /WORKER_STORE=postgres needs WORKER_DB_NAME, WORKER_DB_USER/);
        assert.match(error.message, /WORKER_DB_SCHEMA must be a plain lower-case name/);
        assert.doesNotMatch(error.message, /s3cret-value/);
        return true;
      },
    );
  });

  it("reads the PostgreSQL store: TLS unless the database is on this machine", () => {
    const db = {
      ...minimal,
      WORKER_CLUSTER: "true",
      WORKER_STORE: "postgres",
      WORKER_DB_NAME: "camunda",
      WORKER_DB_USER: "camunda_workers",
      WORKER_DB_PASSWORD: "pw",
    };
    const remote = loadWorkerConfig({ ...db, WORKER_DB_HOST: "cluster.example.internal" });
    assert.equal(remote.cluster, true);
    assert.deepEqual(remote.store, {
      kind: "postgres",
      postgres: {
        host: "cluster.example.internal",
        port: 5432,
        database: "camunda",
        user: "camunda_workers",
        password: "pw",
        schema: "camunda_workers",
        sslMode: "require",
        sslCaFile: undefined,
        poolSize: 10,
        statementTimeoutMs: 15_000,
      },
    });
    const local = loadWorkerConfig({ ...db, WORKER_DB_HOST: "127.0.0.1" });
    assert.equal(local.store.kind === "postgres" && local.store.postgres.sslMode, "disable");
    const verified = loadWorkerConfig({ ...db, WORKER_DB_HOST: "h", WORKER_DB_SSLMODE: "verify-full" });
    assert.equal(verified.store.kind === "postgres" && verified.store.postgres.sslMode, "verify-full");
  });

  it("takes resolved credentials only when neither variable is set", () => {
    const fallback = { username: "admin", password: "generated" };
    const config = loadWorkerConfig({ CAMUNDA_URL: "http://localhost:8080/engine-rest" }, fallback);
    assert.equal(config.username, "admin");
    assert.equal(loadWorkerConfig(minimal, fallback).username, "demo");
  });
});

describe("failure reports", () => {
  const policy = { retries: 3, baseMs: 1_000, maxMs: 5_000 };

  it("counts retries down from the task's own count, to an incident", () => {
    assert.equal(retriesLeft(null, policy, true), 3);
    assert.equal(retriesLeft(3, policy, true), 2);
    assert.equal(retriesLeft(1, policy, true), 0);
    assert.equal(retriesLeft(0, policy, true), 0);
    assert.equal(retriesLeft(null, policy, false), 0, "a non-retryable failure goes straight to an incident");
  });

  it("doubles the retry timeout per failed attempt, capped", () => {
    const timeouts = [null, 3, 2].map(
      (retries) => failureReport("m", "d", retries, policy, true).retryTimeout,
    );
    assert.deepEqual(timeouts, [1_000, 2_000, 4_000]);
    assert.equal(failureReport("m", "d", 1, policy, true).retryTimeout, 0, "no timeout for the incident");
    assert.equal(failureReport("m", "d", null, { ...policy, retries: 10 }, true).retryTimeout, 1_000);
    assert.equal(failureReport("m", "d", 2, { ...policy, retries: 10 }, true).retryTimeout, 5_000);
  });

  it("cuts messages to the engine's 666 characters on one line, keeping the full text in details", () => {
    const long = `line one\nline two ${"y".repeat(1_000)}`;
    const report = failureReport(long, long, null, policy, true);
    assert.equal(report.errorMessage.length, 666);
    assert.ok(report.errorMessage.startsWith("line one line two"));
    assert.equal(report.errorDetails, long);
    assert.equal(truncateMessage("  "), "handler failed without a message");
  });
});

describe("variables", () => {
  it("reads typed values into plain values, Json parsed", () => {
    assert.deepEqual(
      fromTyped({
        s: { type: "String", value: "x" },
        i: { type: "Integer", value: 3 },
        b: { type: "Boolean", value: false },
        j: { type: "Json", value: '["A"]' },
        o: { type: "Object", value: '{"a":1}', valueInfo: { serializationDataFormat: "application/json" } },
        n: { type: "Null", value: null },
      }),
      { s: "x", i: 3, b: false, j: ["A"], o: { a: 1 }, n: null },
    );
    assert.equal(fromTyped({ j: { type: "Json", value: "[oops" } }).j, UNPARSEABLE);
  });

  it("types outputs: Integer, Long, Double, Boolean, String, Json, Null", () => {
    assert.deepEqual(
      toTyped({ i: 42, l: 2 ** 40, d: 612.5, b: true, s: "x", j: ["A"], o: { a: 1 }, n: null }),
      {
        i: { type: "Integer", value: 42 },
        l: { type: "Long", value: 2 ** 40 },
        d: { type: "Double", value: 612.5 },
        b: { type: "Boolean", value: true },
        s: { type: "String", value: "x" },
        j: { type: "Json", value: '["A"]' },
        o: { type: "Json", value: '{"a":1}' },
        n: { type: "Null", value: null },
      },
    );
  });
});

describe("backoff", () => {
  it("grows exponentially up to the cap, with full jitter, and resets", () => {
    const top = new Backoff(100, 1_000, () => 1);
    assert.deepEqual(
      Array.from({ length: 6 }, () => top.next()),
      [100, 200, 400, 800, 1_000, 1_000],
    );
    top.reset();
    assert.equal(top.next(), 100);
    const bottom = new Backoff(100, 1_000, () => 0);
    assert.equal(bottom.next(), 0);
    const half = new Backoff(100, 1_000, () => 0.5);
    half.next();
    assert.equal(half.next(), 100);
  });
});
