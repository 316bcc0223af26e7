import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topicNames, topicRegistry } from "#workers/registry.js";

describe("topic registry", () => {
  it("serves exactly the topics the processes use", () => {
    assert.deepEqual([...topicNames].sort(), [
      "calculate-premium",
      "issue-policy",
      "notify-supervisor",
      "reject-application",
      "request-documents",
      "send-notification",
      "send-reminder",
      "validate-application",
    ]);
  });

  it("describes every topic: variables fetched, outputs, lock duration", () => {
    for (const name of topicNames) {
      const entry = topicRegistry[name];
      assert.ok(entry, name);
      assert.equal(entry.topic, name);
      assert.ok(
        entry.variables.length > 0 && entry.variables.includes("applicationId"),
        `${name} fetches applicationId`,
      );
      assert.ok(entry.outputs.length > 0, `${name} declares outputs`);
      assert.ok(entry.lockDurationMs >= 10_000, `${name} lock duration`);
      assert.equal(typeof entry.handler, "function");
    }
  });

  it("is frozen, so nothing can change what the linter sees", () => {
    assert.ok(Object.isFrozen(topicRegistry) && Object.isFrozen(topicNames));
  });
});
