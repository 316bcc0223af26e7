/**
 * Side by side with bpmn-js-differ 3.2.0 (the bpmn.io differ, pinned as a devDependency) on the same
 * fixture pairs: each test shows what it reports, what is wrong or missing there, and what our diff
 * says instead. If a later bpmn-js-differ fixes one of these, its test fails and the note can go.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { diff as bpmnJsDiff } from "bpmn-js-differ";
import * as bpmnModdlePackage from "bpmn-moddle";
import { parseModel } from "#core/lint/parse.js";
import { fixture, fixtureDiff, rows } from "./support.js";

interface Attr {
  oldValue: unknown;
  newValue: unknown;
}
interface DifferResult {
  _added: Record<string, unknown>;
  _removed: Record<string, unknown>;
  _changed: Record<string, { attrs: Record<string, Attr> }>;
  _layoutChanged: Record<string, unknown>;
}

/** bpmn-js-differ with the Camunda moddle extension loaded (its best case). */
async function differ(name: string): Promise<DifferResult> {
  const [a, b] = await Promise.all([
    parseModel("bpmn", fixture("bpmn", "base")),
    parseModel("bpmn", fixture("bpmn", name)),
  ]);
  return bpmnJsDiff(a.root, b.root) as unknown as DifferResult;
}

/** bpmn-js-differ as its README sets it up: plain bpmn-moddle, no Camunda extension. */
async function plainDiffer(name: string): Promise<DifferResult> {
  const Moddle = (
    bpmnModdlePackage as unknown as {
      BpmnModdle: new () => { fromXML(x: string): Promise<{ rootElement: unknown }> };
    }
  ).BpmnModdle;
  const moddle = new Moddle();
  const a = await moddle.fromXML(fixture("bpmn", "base"));
  const b = await moddle.fromXML(fixture("bpmn", name));
  return bpmnJsDiff(a.rootElement as never, b.rootElement as never) as unknown as DifferResult;
}

describe("bpmn-js-differ 3.2.0 compared with our diff on the same fixtures", () => {
  test("set up as documented (plain bpmn-moddle) it sees no Camunda attribute change at all", async () => {
    for (const name of [
      "topic-changed",
      "async-changed",
      "user-task-changed",
      "process-attributes-changed",
    ]) {
      const result = await plainDiffer(name);
      assert.deepEqual(Object.keys(result._changed), [], name);
      assert.ok((await fixtureDiff("bpmn", name)).changes.length > 0, name);
    }
  });

  test("topic-changed: with the Camunda extension it swaps before and after", async () => {
    const result = await differ("topic-changed");
    // The changed handler receives (newValue, oldValue) in the opposite order of jsondiffpatch's delta.
    assert.deepEqual(result._changed.Task_CheckPolicy?.attrs.topic, {
      oldValue: "policy-verification",
      newValue: "policy-check",
    });
    assert.deepEqual(rows((await fixtureDiff("bpmn", "topic-changed")).changes), [
      ["Task_CheckPolicy", "changed", "camunda:topic", "policy-check", "policy-verification", false],
    ]);
  });

  test("type-changed: a removed topic reads as an added one (oldValue 0)", async () => {
    const attrs = (await differ("type-changed"))._changed.Task_Escalate?.attrs;
    assert.deepEqual(attrs?.topic, { oldValue: 0, newValue: "escalate-review" });
    const ours = (await fixtureDiff("bpmn", "type-changed")).changes.find(
      (c) => c.property === "camunda:topic",
    );
    assert.deepEqual([ours?.before, ours?.after], ["escalate-review", null]);
  });

  test("timer-changed: a timer duration change is not reported at all", async () => {
    const result = await differ("timer-changed");
    assert.deepEqual(
      [result._added, result._removed, result._changed, result._layoutChanged].map(
        (o) => Object.keys(o).length,
      ),
      [0, 0, 0, 0],
    );
    assert.deepEqual(rows((await fixtureDiff("bpmn", "timer-changed")).changes), [
      ["Timer_ReviewOverdue", "changed", "timerEventDefinition.timeDuration", "PT48H", "PT24H", false],
    ]);
  });

  test("io-mapping-changed, listener-added, condition-changed: 'changed' with no property, no values", async () => {
    const cases: Array<[string, string, string]> = [
      ["io-mapping-changed", "Task_CheckPolicy", "camunda:inputParameter[policyNumber]"],
      ["listener-added", "Task_Pay", "camunda:executionListener[start]"],
      ["condition-changed", "Flow_NoReview", "conditionExpression"],
    ];
    for (const [name, id, property] of cases) {
      const result = await differ(name);
      assert.deepEqual(result._changed[id]?.attrs, {}, name);
      const ours = (await fixtureDiff("bpmn", name)).changes;
      assert.ok(
        ours.some((c) => c.elementId === id && c.property === property && c.after !== null),
        name,
      );
    }
  });

  test("id-renamed: an added and a removed task plus three 'changed' references; no rename, no migration warning", async () => {
    const result = await differ("id-renamed");
    assert.deepEqual(Object.keys(result._added), ["Task_UnderwriterReview"]);
    assert.deepEqual(Object.keys(result._removed), ["Task_Review"]);
    assert.deepEqual(Object.keys(result._changed).sort(), [
      "Flow_Review",
      "Flow_Reviewed",
      "Timer_ReviewOverdue",
    ]);
    assert.deepEqual(rows((await fixtureDiff("bpmn", "id-renamed")).changes), [
      ["Task_UnderwriterReview", "changed", "id", "Task_Review", "Task_UnderwriterReview", true],
    ]);
  });

  test("scope-changed: the moved task is listed as added and removed at once", async () => {
    const result = await differ("scope-changed");
    assert.ok("Task_Archive" in result._added && "Task_Archive" in result._removed);
    const ours = (await fixtureDiff("bpmn", "scope-changed")).changes.filter(
      (c) => c.elementId === "Task_Archive",
    );
    assert.deepEqual(rows(ours), [
      ["Task_Archive", "changed", "scope", "SubProcess_Archive", "claim_review", true],
    ]);
  });

  test("exporter-version-only and formatting-only: nothing reported, where ours says layout-only and why", async () => {
    for (const name of ["exporter-version-only", "formatting-only"]) {
      const result = await differ(name);
      assert.equal(Object.keys(result._changed).length + Object.keys(result._layoutChanged).length, 0);
      const ours = await fixtureDiff("bpmn", name);
      assert.equal(ours.layoutOnly, true);
      assert.ok(ours.changes.length > 0);
    }
  });
});
