import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { diffModel } from "#core/diff/model.js";
import { fixture, fixtureDiff, rows } from "./support.js";

describe("DMN diff, decision tables rule by rule", () => {
  test("a rule value: rule id, column label, before → after", async () => {
    const diff = await fixtureDiff("dmn", "rule-value");
    assert.deepEqual(rows(diff.changes), [
      ["Rule_London", "changed", "Premium factor", "1.25", "1.3", false],
    ]);
    assert.match(diff.changes[0]!.message, /rule Rule_London \(row 1\), Premium factor: 1\.25 → 1\.3$/);
    const table = diff.tables?.[0];
    assert.equal(table?.rows.find((r) => r.id === "Rule_London")?.status, "changed");
  });

  test("a rule added, with its row and entries", async () => {
    const diff = await fixtureDiff("dmn", "rule-added");
    assert.deepEqual(rows(diff.changes), [
      [
        "Rule_Leeds",
        "added",
        null,
        null,
        'when Region "leeds", Vehicle age - → Premium factor 1.12, Reason "city"',
        false,
      ],
    ]);
    assert.match(diff.changes[0]!.message, /added as row 4/);
  });

  test("a rule removed", async () => {
    const diff = await fixtureDiff("dmn", "rule-removed");
    assert.deepEqual(
      diff.changes.map((c) => [c.elementId, c.type]),
      [["Rule_London", "removed"]],
    );
    const removed = diff.tables?.[0]?.rows.find((r) => r.id === "Rule_London");
    assert.deepEqual([removed?.status, removed?.before, removed?.after], ["removed", 1, null]);
  });

  test("rules reordered under FIRST: the moved rule, and why the order is business logic", async () => {
    const diff = await fixtureDiff("dmn", "rules-reordered");
    assert.equal(diff.layoutOnly, false);
    // Only the rule that moved is reported; the others kept their relative order.
    assert.deepEqual(rows(diff.changes), [["Rule_OldVehicle", "changed", "position", "3", "1", false]]);
    assert.match(
      diff.changes[0]!.message,
      /with hit policy FIRST the first matching rule wins, so the order is business logic/,
    );
    assert.equal(diff.tables?.[0]?.orderMatters, true);
  });

  test("rules reordered under COLLECT change nothing: layout-only", async () => {
    const diff = await fixtureDiff("dmn", "rules-reordered-collect", "base-collect");
    assert.equal(diff.layoutOnly, true);
    assert.deepEqual(rows(diff.changes), [["Rule_OldVehicle", "layout", "position", "3", "1", false]]);
    assert.match(diff.changes[0]!.message, /hit policy COLLECT ignores the order/);
  });

  test("a hit policy change", async () => {
    const diff = await fixtureDiff("dmn", "hit-policy");
    assert.deepEqual(rows(diff.changes), [
      ["premium_factor", "changed", "hit policy", "FIRST", "UNIQUE", false],
    ]);
  });

  test("an input column added: the column, and the rules that fill it", async () => {
    const diff = await fixtureDiff("dmn", "input-added");
    assert.deepEqual(rows(diff.changes), [
      ["Input_DriverAge", "added", null, null, "Driver age", false],
      // Empty entries ("-", any value) in the other rules say nothing and are not listed.
      ["Rule_London", "changed", "Driver age", null, "< 25", false],
    ]);
    const column = diff.tables?.[0]?.columns.find((c) => c.id === "Input_DriverAge");
    assert.equal(column?.status, "added");
  });

  test("an input expression or output name change is reported on its column", async () => {
    const after = fixture("dmn", "base")
      .replace("<text>lower case(region)</text>", "<text>upper case(region)</text>")
      .replace('name="reason"', 'name="premiumReason"');
    const diff = await diffModel({ file: "d.dmn", kind: "dmn", before: fixture("dmn", "base"), after });
    assert.deepEqual(rows(diff.changes), [
      [
        "Input_Region",
        "changed",
        'input "Region" inputExpression.text',
        "lower case(region)",
        "upper case(region)",
        false,
      ],
      ["Output_Reason", "changed", 'output "Reason" name', "reason", "premiumReason", false],
    ]);
  });

  test("decision attributes (history time to live) are compared too", async () => {
    const after = fixture("dmn", "base").replace(
      'camunda:historyTimeToLive="180"',
      'camunda:historyTimeToLive="30"',
    );
    const diff = await diffModel({ file: "d.dmn", kind: "dmn", before: fixture("dmn", "base"), after });
    assert.deepEqual(rows(diff.changes), [
      ["premium_factor", "changed", "camunda:historyTimeToLive", "180", "30", false],
    ]);
  });

  test("a moved DRD shape and a re-save by another Modeler version are layout-only", async () => {
    const layout = await fixtureDiff("dmn", "layout-only");
    assert.equal(layout.layoutOnly, true);
    assert.deepEqual(rows(layout.changes), [
      ["premium_factor", "layout", "position", "(160, 100)", "(260, 140)", false],
    ]);
    const exporter = await fixtureDiff("dmn", "exporter-version-only");
    assert.equal(exporter.layoutOnly, true);
    assert.deepEqual(
      exporter.changes.map((c) => c.property),
      ["exporterVersion", "modeler:executionPlatformVersion"],
    );
  });

  test("a DMN file added or removed lists its decisions and their tables", async () => {
    const added = await diffModel({
      file: "d.dmn",
      kind: "dmn",
      before: null,
      after: fixture("dmn", "base"),
    });
    assert.deepEqual(rows(added.changes), [["premium_factor", "added", null, null, "Premium factor", false]]);
    assert.equal(added.tables?.[0]?.rows.length, 4);
    assert.ok(added.tables?.[0]?.rows.every((r) => r.status === "added"));
    const removed = await diffModel({
      file: "d.dmn",
      kind: "dmn",
      before: fixture("dmn", "base"),
      after: null,
    });
    assert.deepEqual(rows(removed.changes), [
      ["premium_factor", "removed", null, "Premium factor", null, false],
    ]);
  });

  test("DMN 1.1 and 1.3 versions of the same table compare equal (namespaces only differ)", async () => {
    const dmn11 = fixture("dmn", "base")
      .replace(
        'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"',
        'xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd"',
      )
      .replace(/ {2}<dmndi:DMNDI>[\s\S]*<\/dmndi:DMNDI>\n/, "");
    const diff = await diffModel({
      file: "d.dmn",
      kind: "dmn",
      before: dmn11,
      after: fixture("dmn", "rule-value"),
    });
    assert.deepEqual(rows(diff.changes), [
      ["Rule_London", "changed", "Premium factor", "1.25", "1.3", false],
    ]);
  });
});
