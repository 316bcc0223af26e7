/**
 * The JMX exporter agent in the local engine (the same agent and configuration production mounts into
 * the Run container): the test engine serves its JVM's heap, GC and database pool on /metrics.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jvmFamilies } from "../../support/cloudwatch-agent.js";
import { scrape } from "../../support/prometheus.js";

describe("JVM metrics of the local engine (JMX exporter agent)", () => {
  it("serves heap used and max, garbage collection, CPU and the database pool", async () => {
    const url = process.env.CAMUNDA_TEST_JVM_METRICS_URL;
    assert.ok(url, "the test engine was started with the JMX exporter agent (CAMUNDA_TEST_JVM_METRICS_URL)");
    const metrics = await scrape(url);
    const used = metrics.value("jvm_memory_used_bytes", { area: "heap" });
    const max = metrics.value("jvm_memory_max_bytes", { area: "heap" });
    assert.ok(used !== undefined && used > 0, `heap used: ${used}`);
    assert.ok(max !== undefined && max >= used, `heap max ${max} >= used ${used}`);
    assert.equal(metrics.types.get("jvm_memory_used_bytes"), "gauge");
    assert.ok(metrics.find("jvm_gc_collection_seconds_count").length > 0, "GC collections by collector");
    assert.ok((metrics.value("process_cpu_seconds_total") ?? 0) > 0);
    // The pool's MBeans, read through engine/jmx-exporter.yaml's rules.
    const total = metrics.find("hikaricp_connections");
    assert.equal(total.length, 1, "one connection pool");
    assert.ok((total[0]?.value ?? 0) >= 1, "the pool holds connections");
    assert.ok(metrics.find("hikaricp_connections_active").length === 1);
    assert.ok(metrics.find("hikaricp_connections_pending").length === 1);
  });

  it("serves every JVM family the CloudWatch contract relies on, with its labels", async () => {
    const url = process.env.CAMUNDA_TEST_JVM_METRICS_URL;
    assert.ok(url);
    const metrics = await scrape(url);
    for (const family of jvmFamilies) {
      const samples = metrics.find(family.name);
      assert.ok(samples.length > 0, `${family.name} is served`);
      for (const sample of samples)
        assert.deepEqual(
          Object.keys(sample.labels).sort(),
          [...family.labels].sort(),
          `${family.name} labels`,
        );
    }
  });
});
