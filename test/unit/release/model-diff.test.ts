// biome-ignore-all lint/suspicious/noTemplateCurlyInString: JUEL expressions in BPMN text, not templates
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffModels, summarizeDiff } from "#core/release/model-diff.js";
import { decisionXml, processXml } from "../../integration/release/support.js";

describe("semantic summary of a model change", () => {
  const before = processXml("diff_p");

  it("names a renamed task and the property that changed", async () => {
    const diff = await diffModels("bpmn", before, processXml("diff_p", { taskName: "Check the claim" }));
    assert.deepEqual(diff.changed, [
      { id: "Task_Review", type: "user task", name: "Check the claim", properties: ["name"] },
    ]);
    assert.deepEqual([diff.added, diff.removed, diff.layoutOnly], [[], [], false]);
    assert.equal(summarizeDiff(diff), 'changed Task_Review "Check the claim" (name)');
  });

  it("sees a changed condition on its sequence flow", async () => {
    const diff = await diffModels("bpmn", before, processXml("diff_p", { condition: "${amount &gt; 5000}" }));
    assert.equal(summarizeDiff(diff), 'changed Flow_Large "yes" (conditionExpression)');
  });

  it("sees a rewired flow, added and removed elements", async () => {
    const rewired = before
      .replace('targetRef="Gateway_Join" />', 'targetRef="End" />')
      .replace("</bpmn:process>", '<bpmn:task id="Task_New" name="New step" /></bpmn:process>')
      .replace(/<bpmn:endEvent id="End" name="Done">/, '<bpmn:endEvent id="End" name="Done">');
    const diff = await diffModels("bpmn", before, rewired);
    assert.deepEqual(
      diff.added.map((a) => a.id),
      ["Task_New"],
    );
    assert.ok(diff.changed.some((c) => c.id === "Flow_Small" && c.properties?.includes("targetRef")));
    const removedTask = await diffModels("bpmn", rewired, before);
    assert.deepEqual(
      removedTask.removed.map((r) => [r.id, r.name]),
      [["Task_New", "New step"]],
    );
  });

  it("reports a moved shape or re-indented file as layout only", async () => {
    const moved = before.replace('<dc:Bounds x="152"', '<dc:Bounds x="172"').replace(/\n {4}/g, "\n      ");
    const diff = await diffModels("bpmn", before, moved);
    assert.equal(diff.layoutOnly, true);
    assert.equal(
      summarizeDiff(diff),
      "no executable change (diagram layout, formatting or modeler metadata)",
    );
  });

  it("treats a re-save by another Modeler version as no executable change", async () => {
    const stamp = (v: string) =>
      before.replace(
        'targetNamespace="http://example.com/release-test"',
        `targetNamespace="http://example.com/release-test" exporter="Camunda Modeler" exporterVersion="${v}" xmlns:modeler="http://camunda.org/schema/modeler/1.0" modeler:executionPlatformVersion="${v}"`,
      );
    const diff = await diffModels("bpmn", stamp("5.31.0"), stamp("5.40.0"));
    assert.equal(diff.layoutOnly, true);
  });

  it("reports a DMN rule by its id and column, and a reordered FIRST table by the rule that moved", async () => {
    const dmn = decisionXml("diff_d");
    const changedRule = await diffModels("dmn", dmn, decisionXml("diff_d", { discount: "0.2" }));
    assert.equal(summarizeDiff(changedRule), "changed Rule_Large (Discount)");
    const reordered = dmn.replace(
      /(<rule id="Rule_Large">[\s\S]*?<\/rule>)(\s*)(<rule id="Rule_Other">[\s\S]*?<\/rule>)/,
      "$3$2$1",
    );
    const diff = await diffModels("dmn", dmn, reordered);
    assert.deepEqual(
      diff.changed.map((c) => [c.id, c.properties]),
      [["Rule_Other", ["position"]]],
    );
  });

  it("shortens long lists", async () => {
    let many = before;
    for (let i = 0; i < 6; i++)
      many = many.replace("</bpmn:process>", `<bpmn:task id="T${i}" /></bpmn:process>`);
    assert.match(summarizeDiff(await diffModels("bpmn", before, many)), /^added T0, T1, T2, T3 and 2 more$/);
  });
});
