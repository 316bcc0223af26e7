import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topicNames } from "#workers/registry.js";
import { Backoff } from "#workers/runtime/backoff.js";
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
