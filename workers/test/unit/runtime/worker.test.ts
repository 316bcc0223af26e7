import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { WorkerMetrics } from "#workers/runtime/metrics.js";
import type { Worker } from "#workers/runtime/worker.js";
import { FakeEngine } from "../../support/fake-engine.js";
import { eventually, Gate, stopTestWorkers, testTopics, testWorker } from "../../support/runtime.js";

let engine: FakeEngine;
beforeEach(async () => {
  engine = new FakeEngine();
  await engine.start();
});
afterEach(async () => {
  await stopTestWorkers();
  await engine.stop();
});

const echo = (id: string, n: number, retries: number | null = null) => ({
  id,
  topicName: "echo",
  retries,
  variables: { n: { type: "Integer", value: n } },
});

/**
 * Runs quick echo tasks until the measured task time allows `want` tasks fetched ahead (a cold first
 * task on a busy machine may take longer than the one-second horizon; the moving average then needs a
 * few more); returns how many ran.
 */
async function warmUp(worker: Worker, want: number): Promise<number> {
  let warm = 0;
  while (worker.prefetchAllowance() < want && warm < 200) {
    engine.add(echo(`warm${warm++}`, 1));
    await eventually("a quick task measured", () => engine.count("complete") === warm);
  }
  return warm;
}

describe("worker runtime against a fake engine (HTTP protocol details)", () => {
  it("fetches all topics in one long poll, with the topic's variables and lock duration", async () => {
    const { worker } = testWorker(engine.url);
    await worker.start();
    await eventually("a pending poll", () => engine.pendingPolls === 1);
    const [poll] = engine.of("fetchAndLock");
    assert.equal(poll?.body.workerId, "unit-worker");
    assert.equal(poll?.body.asyncResponseTimeout, 5_000);
    assert.deepEqual(
      poll?.body.topics.map((t: { topicName: string }) => t.topicName),
      ["echo", "blocker", "thrower", "business", "hang", "polite"],
    );
    assert.deepEqual(poll?.body.topics[0].variables, ["n"]);
    assert.equal(poll?.body.topics[0].lockDuration, 10_000);
    await worker.stop();
  });

  it("completes with typed variables and sends the basic auth header", async () => {
    const { worker, metrics } = testWorker(engine.url);
    await worker.start();
    engine.add(echo("t1", 21));
    await eventually("completion", () => engine.count("complete") === 1);
    const [done] = engine.of("complete");
    assert.deepEqual(done?.body, {
      workerId: "unit-worker",
      variables: { doubled: { type: "Integer", value: 42 }, list: { type: "Json", value: '["a","b"]' } },
    });
    await worker.stop();
    const text = await metrics.registry.metrics();
    assert.match(text, /camunda_worker_tasks_total\{topic="echo",outcome="completed"\} 1/);
  });

  it("asks only for free capacity and never runs more than the parallelism", async () => {
    const gate = new Gate();
    const { worker } = testWorker(engine.url, { parallelism: 4, maxTasks: 4 }, testTopics({ blocker: gate }));
    engine.add(...Array.from({ length: 10 }, (_, i) => ({ id: `b${i}`, topicName: "blocker" })));
    await worker.start();
    await eventually("four running", () => worker.inFlight === 4);
    // Nothing is free: no further fetch may be sent while the four run.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(engine.count("fetchAndLock"), 1);
    assert.equal(engine.of("fetchAndLock")[0]?.body.maxTasks, 4);
    gate.open();
    await eventually("all ten completed", () => engine.count("complete") === 10);
    for (const poll of engine.of("fetchAndLock")) assert.ok(poll.body.maxTasks <= 4);
    await worker.stop();
  });

  it("fetches ahead while every slot is busy once tasks are quick, and still never runs more than the parallelism", async () => {
    const gate = new Gate();
    const { worker } = testWorker(
      engine.url,
      { parallelism: 4, maxTasks: 4, prefetch: 2 },
      testTopics({ blocker: gate }),
    );
    await worker.start();
    // Nothing measured yet: no fetch ahead.
    assert.equal(worker.prefetchAllowance(), 0);
    const warm = await warmUp(worker, 2);
    assert.equal(worker.prefetchAllowance(), 2);
    engine.add(...Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, topicName: "blocker" })));
    await eventually(
      "four running and two fetched ahead",
      () => worker.inFlight === 4 && worker.queuedCount === 2,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(worker.inFlight, 4, "fetched-ahead tasks wait for a slot");
    // Every fetch asked for no more than free slots plus the prefetch.
    for (const poll of engine.of("fetchAndLock")) assert.ok(poll.body.maxTasks <= 4);
    gate.open();
    await eventually("all ten completed", () => engine.count("complete") === warm + 10);
    await worker.stop();
  });

  it("unlocks fetched-ahead tasks at stop without running them", async () => {
    const gate = new Gate();
    const { worker } = testWorker(
      engine.url,
      { parallelism: 2, maxTasks: 2, prefetch: 2 },
      testTopics({ blocker: gate }),
    );
    await worker.start();
    const warm = await warmUp(worker, 2);
    engine.add(...Array.from({ length: 4 }, (_, i) => ({ id: `q${i}`, topicName: "blocker" })));
    await eventually("two running, two ahead", () => worker.inFlight === 2 && worker.queuedCount === 2);
    const report = await worker.stop(100);
    assert.equal(report.unlocked, 4, "the two running and the two fetched ahead");
    assert.equal(worker.queuedCount, 0);
    gate.open();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(engine.count("complete"), warm);
    assert.equal(engine.count("failure"), 0);
  });

  it("does not fetch ahead for handlers slow against the lock duration", async () => {
    const { worker } = testWorker(engine.url, { prefetch: 2, lockDurationMs: 1 });
    await worker.start();
    engine.add(echo("slowish", 1));
    await eventually("one task measured", () => engine.count("complete") === 1);
    // Any real task takes more than an eighth of a 1 ms lock.
    assert.equal(worker.prefetchAllowance(), 0);
    await worker.stop();
  });

  it("reports a BPMN error with its code, message and variables", async () => {
    const { worker } = testWorker(engine.url);
    await worker.start();
    engine.add({ id: "e1", topicName: "business" });
    await eventually("bpmnError", () => engine.count("bpmnError") === 1);
    assert.deepEqual(engine.of("bpmnError")[0]?.body, {
      workerId: "unit-worker",
      errorCode: "NOT_INSURABLE",
      errorMessage: "too risky",
      variables: { checkedAt: { type: "String", value: "now" } },
    });
    await worker.stop();
  });

  it("reports a throwing handler as a failure: explicit retries counting down, backoff, truncated message, details", async () => {
    const { worker } = testWorker(engine.url, { retries: 3, retryBackoffMs: 1_000 });
    await worker.start();
    engine.add({ id: "f1", topicName: "thrower", retries: null });
    engine.add({ id: "f2", topicName: "thrower", retries: 2 });
    engine.add({ id: "f3", topicName: "thrower", retries: 1 });
    await eventually("three failures", () => engine.count("failure") === 3);
    const byId = Object.fromEntries(engine.of("failure").map((r) => [r.path.split("/")[2], r.body]));
    assert.equal(byId.f1.retries, 3);
    assert.equal(byId.f1.retryTimeout, 1_000);
    assert.equal(byId.f2.retries, 1);
    assert.equal(byId.f2.retryTimeout, 4_000);
    assert.equal(byId.f3.retries, 0, "the last retry is spent: the engine raises an incident");
    assert.equal(byId.f1.errorMessage.length, 666);
    assert.match(byId.f1.errorMessage, /^Error: database exploded x+…$/);
    assert.match(byId.f1.errorDetails, /Caused by: Error: disk full/);
    assert.equal(byId.f1.workerId, "unit-worker");
    await worker.stop();
  });

  it("reports malformed input as a failure without retries that names the variable", async () => {
    const { worker } = testWorker(engine.url);
    await worker.start();
    engine.add({ id: "v1", topicName: "echo", variables: { n: { type: "String", value: "seven" } } });
    await eventually("failure", () => engine.count("failure") === 1);
    const body = engine.of("failure")[0]?.body;
    assert.equal(body.retries, 0);
    assert.match(body.errorMessage, /input variable "n"/);
    assert.doesNotMatch(body.errorMessage, /seven/);
    await worker.stop();
  });

  it("turns a completion the engine refuses into a reported failure instead of waiting for lock expiry", async () => {
    const { worker } = testWorker(engine.url);
    engine.failures.set("complete", {
      status: 500,
      body: { type: "ProcessEngineException", message: "Cannot serialize value" },
      times: 1,
    });
    await worker.start();
    engine.add(echo("r1", 1));
    await eventually("failure", () => engine.count("failure") === 1);
    assert.match(
      engine.of("failure")[0]?.body.errorMessage,
      /engine refused the completion.*Cannot serialize value/,
    );
    await worker.stop();
  });

  it("retries a report through a short outage (503) and completes once", async () => {
    const { worker } = testWorker(engine.url);
    engine.failures.set("complete", { status: 503, body: { message: "busy" }, times: 2 });
    await worker.start();
    engine.add(echo("o1", 1));
    await eventually("completed", () => !engine.isLocked("o1") && engine.count("complete") === 3);
    await worker.stop();
  });

  it("drops the result of a task another worker took after our lock lapsed: no failure reported, counted as lock_lost", async () => {
    const gate = new Gate();
    const { worker, metrics } = testWorker(
      engine.url,
      { lockDurationMs: 60_000, taskTimeoutMs: 60_000 },
      testTopics({ blocker: gate }),
    );
    await worker.start();
    engine.add({ id: "taken", topicName: "blocker" });
    await eventually("running", () => worker.inFlight === 1);
    engine.relock("taken", "another-host");
    gate.open();
    await eventually("the refused completion", () => engine.count("complete") === 1);
    await eventually("settled", () => worker.inFlight === 0);
    assert.equal(engine.count("failure"), 0, "a task that is no longer ours is not failed");
    const text = await metrics.registry.metrics();
    assert.match(text, /camunda_worker_tasks_total\{topic="blocker",outcome="lock_lost"\} 1/);
    await worker.stop();
  });

  it("extends the lock of a handler that runs past half its lock duration", async () => {
    const gate = new Gate();
    // A topic whose timeout is longer than its lock (by default the timeout is the lock duration).
    const { worker } = testWorker(
      engine.url,
      { lockDurationMs: 600, taskTimeoutMs: 10_000 },
      testTopics({ blocker: gate }),
    );
    await worker.start();
    engine.add({ id: "l1", topicName: "blocker" });
    await eventually("two extensions", () => engine.count("extendLock") >= 2);
    assert.deepEqual(engine.of("extendLock")[0]?.body, { workerId: "unit-worker", newDuration: 600 });
    gate.open();
    await eventually("completed", () => engine.count("complete") === 1);
    await worker.stop();
  });

  it("backs off with growing, capped delays while the engine is down, then resumes", async () => {
    const { worker, metrics } = testWorker(engine.url, { backoffInitialMs: 50, backoffMaxMs: 400 });
    engine.mode = "503";
    await worker.start();
    await eventually("six failed polls", () => engine.count("fetchAndLock") >= 6);
    assert.equal(worker.ready, false);
    engine.mode = "up";
    engine.add(echo("after", 2));
    await eventually("completed after recovery", () => engine.count("complete") === 1);
    assert.equal(worker.ready, true);
    await worker.stop();
    // Every failed poll was followed by a backoff (the delays themselves are covered by pieces.test.ts).
    const backoffs = (await metrics.pollBackoff.get()).values[0]?.value ?? 0;
    assert.ok(backoffs >= 6, `backed off ${backoffs} times`);
  });

  it("backs off on refused connections too", async () => {
    const { worker } = testWorker("http://127.0.0.1:1/engine-rest", {
      backoffInitialMs: 10,
      backoffMaxMs: 50,
    });
    await worker.start();
    await eventually("several failed polls", () => (worker.requestCounts.fetchAndLock ?? 0) >= 3);
    assert.equal(worker.ready, false);
    await worker.stop(0);
  });

  it("times out a request the engine never answers", async () => {
    const { worker } = testWorker(engine.url, { httpTimeoutMs: 200, longPollMs: 0, backoffMaxMs: 50 });
    engine.silent.add("complete");
    await worker.start();
    engine.add(echo("s1", 1));
    await eventually("a few timed-out completions", () => engine.count("complete") >= 2);
    engine.silent.delete("complete");
    await eventually("completed after answers resume", () => !engine.isLocked("s1"));
    await worker.stop();
  });

  it("rejects at start when the engine refuses the credentials", async () => {
    const { worker } = testWorker(engine.url);
    engine.failures.set("version", {
      status: 401,
      body: { type: "AuthenticationException", message: "no" },
      times: 1,
    });
    await assert.rejects(worker.start(), /rejected the credentials of user "demo"/);
  });
});

describe("bounded handlers", () => {
  const counter = async (metrics: WorkerMetrics, name: keyof WorkerMetrics, topic: string) => {
    const metric = metrics[name] as {
      get(): Promise<{ values: { labels: { topic?: string }; value: number }[] }>;
    };
    return (await metric.get()).values.find((v) => v.labels.topic === topic)?.value ?? 0;
  };

  it("a handler past its timeout: signal aborted, failure with a retry reported, slot freed, timeout counted", async () => {
    const hang = { started: 0, aborted: 0 };
    const { worker, metrics } = testWorker(
      engine.url,
      { parallelism: 1, maxTasks: 1, lockDurationMs: 200, retries: 3 },
      testTopics({ hang }),
    );
    await worker.start();
    engine.add({ id: "p1", topicName: "polite", retries: null }, echo("after", 1));
    await eventually("the failure", () => engine.count("failure") === 1);
    const [report] = engine.of("failure");
    assert.equal(report?.path, "/external-task/p1/failure");
    assert.equal(report?.body.retries, 3, "retries count down like any failure");
    assert.match(report?.body.errorMessage, /the polite handler did not finish within 300 ms/);
    assert.equal(hang.aborted, 1, "the handler's signal was aborted");
    // Parallelism 1: the next task runs only because the timed-out one gave its slot back.
    await eventually("the next task", () => engine.count("complete") === 1);
    assert.equal(await counter(metrics, "taskTimeouts", "polite"), 1);
    assert.equal(await counter(metrics, "handlersAbandoned", "polite"), 0, "it honoured its signal");
    // The lock is kept while the handler may still run (every half lock = 100 ms), and not after.
    const extensions = engine.count("extendLock");
    assert.ok(extensions >= 1 && extensions <= 3, `${extensions} lock extensions within the timeout`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(engine.count("extendLock"), extensions, "no extension after the timeout");
    assert.equal(worker.ready, true);
    await worker.stop();
  });

  it("a handler that ignores its signal is abandoned and counted; readiness fails once every slot's worth is stuck", async () => {
    const hang = { started: 0, aborted: 0 };
    const { worker, metrics } = testWorker(
      engine.url,
      { parallelism: 2, maxTasks: 2, retries: 1 },
      testTopics({ hang }),
    );
    await worker.start();
    engine.add({ id: "h1", topicName: "hang", retries: null });
    await eventually("the first failure", () => engine.count("failure") === 1);
    await eventually("abandoned", () => worker.stuck === 1);
    assert.equal(worker.ready, true, "one stuck handler of two slots: still ready");
    assert.equal(worker.inFlight, 0, "its slot is free");
    engine.add({ id: "h2", topicName: "hang", retries: 1 });
    await eventually("two stuck", () => worker.stuck === 2);
    assert.equal(worker.ready, false);
    assert.match(worker.notReadyReason ?? "", /2 handlers ignored their timeout.*WORKER_PARALLELISM \(2\)/);
    const byId = Object.fromEntries(engine.of("failure").map((r) => [r.path.split("/")[2], r.body]));
    assert.equal(byId.h1.retries, 1);
    assert.equal(byId.h2.retries, 0, "the last retry: the engine raises an incident");
    assert.equal(hang.started, 2);
    assert.equal(await counter(metrics, "taskTimeouts", "hang"), 2);
    assert.equal(await counter(metrics, "handlersAbandoned", "hang"), 2);
    assert.equal(await counter(metrics, "handlersStuck", "hang"), 2);
    // The worker still serves other topics: stuck handlers do not hold slots.
    engine.add(echo("still", 1));
    await eventually("completed", () => engine.count("complete") === 1);
    const text = await metrics.registry.metrics();
    assert.match(text, /camunda_worker_task_timeouts_total\{topic="hang"\} 2/);
    assert.match(text, /camunda_worker_handlers_stuck\{topic="hang"\} 2/);
    await worker.stop(0);
  });

  it("caps every topic's timeout at WORKER_TASK_TIMEOUT_MAX_MS, and WORKER_TASK_TIMEOUT_MS overrides the topic's", async () => {
    const gate = new Gate();
    const capped = testWorker(engine.url, { taskTimeoutMaxMs: 150 }, testTopics({ blocker: gate }));
    await capped.worker.start();
    engine.add({ id: "c1", topicName: "blocker" });
    await eventually("failure after the cap", () => engine.count("failure") === 1);
    assert.match(engine.of("failure")[0]?.body.errorMessage, /within 150 ms/);
    await capped.worker.stop(0);
    const overridden = testWorker(engine.url, { taskTimeoutMs: 120 }, testTopics({ blocker: gate }));
    await overridden.worker.start();
    engine.add({ id: "c2", topicName: "blocker" });
    await eventually("failure after the override", () => engine.count("failure") === 2);
    assert.match(engine.of("failure")[1]?.body.errorMessage, /within 120 ms/);
    gate.open();
    await overridden.worker.stop(0);
  });
});

describe("graceful stop", () => {
  it("aborts the pending long poll at once", async () => {
    const { worker } = testWorker(engine.url, { longPollMs: 60_000 });
    await worker.start();
    await eventually("pending poll", () => engine.pendingPolls === 1);
    const report = await worker.stop();
    assert.deepEqual(report, { drained: 0, unlocked: 0, leftLocked: 0 });
    await eventually("poll gone", () => engine.pendingPolls === 0, 2_000);
    assert.equal(worker.state, "stopped");
  });

  it("lets running handlers finish within the grace period and reports them", async () => {
    const gate = new Gate();
    const { worker } = testWorker(engine.url, {}, testTopics({ blocker: gate }));
    await worker.start();
    engine.add({ id: "g1", topicName: "blocker" }, { id: "g2", topicName: "blocker" });
    await eventually("two running", () => worker.inFlight === 2);
    const stopping = worker.stop(5_000);
    setTimeout(() => gate.open(), 50);
    const report = await stopping;
    assert.deepEqual(report, { drained: 2, unlocked: 0, leftLocked: 0 });
    assert.equal(engine.count("complete"), 2);
    assert.equal(engine.count("failure"), 0, "no retry is spent by a clean stop");
  });

  it("unlocks what cannot finish in time and never reports it afterwards", async () => {
    const gate = new Gate();
    const { worker } = testWorker(engine.url, {}, testTopics({ blocker: gate }));
    await worker.start();
    engine.add({ id: "u1", topicName: "blocker" });
    await eventually("running", () => worker.inFlight === 1);
    const report = await worker.stop(100);
    assert.deepEqual(report, { drained: 0, unlocked: 1, leftLocked: 0 });
    assert.equal(engine.count("unlock"), 1);
    gate.open();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(engine.count("complete"), 0);
    assert.equal(engine.count("failure"), 0);
  });

  it("unlocks tasks a cut-off poll locked for this worker", async () => {
    const { worker } = testWorker(engine.url);
    await worker.start();
    engine.extraLocked.push(
      { id: "orphan", workerId: "unit-worker" },
      { id: "other", workerId: "someone-else" },
    );
    const report = await worker.stop();
    assert.equal(report.unlocked, 1);
    assert.deepEqual(
      engine.of("unlock").map((r) => r.path),
      ["/external-task/orphan/unlock"],
    );
  });
});
