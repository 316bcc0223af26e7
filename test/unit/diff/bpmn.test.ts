import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { diffModel } from "#core/diff/model.js";
import { fixture, fixtureDiff, rows } from "./support.js";

/** `${body}`, a JUEL expression as the models write it. */
const juel = (body: string) => `$${"{"}${body}}`;

describe("BPMN diff, one fixture pair per change kind", () => {
  test("an external task topic change is one property change, before → after", async () => {
    const diff = await fixtureDiff("bpmn", "topic-changed");
    assert.equal(diff.layoutOnly, false);
    assert.deepEqual(rows(diff.changes), [
      ["Task_CheckPolicy", "changed", "camunda:topic", "policy-check", "policy-verification", false],
    ]);
    assert.match(
      diff.changes[0]!.message,
      /Check policy.*external task topic "policy-check" → "policy-verification"/,
    );
  });

  test("a timer change is reported on the event, not on its generated event definition id", async () => {
    const diff = await fixtureDiff("bpmn", "timer-changed");
    assert.deepEqual(rows(diff.changes), [
      ["Timer_ReviewOverdue", "changed", "timerEventDefinition.timeDuration", "PT48H", "PT24H", false],
    ]);
    assert.equal(diff.changes[0]!.elementType, "timer boundary event");
  });

  test("an execution listener added is one change that names its event and class", async () => {
    const diff = await fixtureDiff("bpmn", "listener-added");
    assert.deepEqual(rows(diff.changes), [
      [
        "Task_Pay",
        "changed",
        "camunda:executionListener[start]",
        null,
        "class com.example.claims.PaymentAuditListener",
        false,
      ],
    ]);
  });

  test("a renamed activity is matched by type, name and position and flagged migration-relevant", async () => {
    const diff = await fixtureDiff("bpmn", "id-renamed");
    // Flows and the boundary event that point at the renamed task do not show up as changes.
    assert.deepEqual(rows(diff.changes), [
      ["Task_UnderwriterReview", "changed", "id", "Task_Review", "Task_UnderwriterReview", true],
    ]);
    const [rename] = diff.changes;
    assert.equal(rename!.previousId, "Task_Review");
    assert.match(rename!.message, /probably Task_Review renamed \(same type, name, position, connections\)/);
    assert.match(rename!.message, /instances waiting in Task_Review are not moved/);
  });

  test("a rename is found by position alone when the name changed too", async () => {
    const after = fixture("bpmn", "id-renamed").replace('name="Review claim"', 'name="Underwriter review"');
    const diff = await diffModel({ file: "x.bpmn", kind: "bpmn", before: fixture("bpmn", "base"), after });
    const rename = diff.changes.find((c) => c.property === "id");
    assert.equal(rename?.before, "Task_Review");
    assert.match(rename!.message, /same type, position, connections/);
    assert.deepEqual(
      diff.changes.filter((c) => c.property === "name").map((c) => [c.before, c.after]),
      [["Review claim", "Underwriter review"]],
    );
  });

  test("a diagram re-layout is layout-only, element by element", async () => {
    const diff = await fixtureDiff("bpmn", "layout-only");
    assert.equal(diff.layoutOnly, true);
    assert.deepEqual(
      diff.changes.map((c) => [c.elementId, c.type, c.property]),
      [
        ["Task_Escalate", "layout", "position"],
        ["End_Escalated", "layout", "position"],
        ["End_Escalated", "layout", "label position"],
        ["Flow_Overdue", "layout", "waypoints"],
        ["Flow_Escalated", "layout", "waypoints"],
      ],
    );
    assert.equal(diff.changes[0]!.before, "(760, 320)");
    assert.equal(diff.changes[0]!.after, "(800, 330)");
  });

  test("a re-save by another Modeler version (exporter, platform version) is layout-only", async () => {
    const diff = await fixtureDiff("bpmn", "exporter-version-only");
    assert.equal(diff.layoutOnly, true);
    assert.deepEqual(rows(diff.changes), [
      ["ClaimReviewDefinitions", "layout", "exporterVersion", "5.31.0", "5.40.0", false],
      ["ClaimReviewDefinitions", "layout", "modeler:executionPlatformVersion", "7.22.0", "7.23.0", false],
    ]);
  });

  test("reindenting and reordering attributes is layout-only (formatting)", async () => {
    const diff = await fixtureDiff("bpmn", "formatting-only");
    assert.equal(diff.layoutOnly, true);
    assert.deepEqual(rows(diff.changes), [
      ["ClaimReviewDefinitions", "layout", "formatting", null, null, false],
    ]);
  });

  test("input/output mappings are compared by parameter name", async () => {
    const diff = await fixtureDiff("bpmn", "io-mapping-changed");
    assert.deepEqual(rows(diff.changes), [
      [
        "Task_CheckPolicy",
        "changed",
        "camunda:inputParameter[policyNumber]",
        juel("policyNumber"),
        juel("claim.policyNumber"),
        false,
      ],
      ["Task_CheckPolicy", "changed", "camunda:outputParameter[policyValid]", null, juel("valid"), false],
    ]);
  });

  test("async before/after changes are migration-relevant; exclusive is not", async () => {
    const diff = await fixtureDiff("bpmn", "async-changed");
    assert.deepEqual(rows(diff.changes), [
      ["Task_CheckPolicy", "changed", "camunda:asyncBefore", "true", "false", true],
      ["Task_RateRisk", "changed", "camunda:asyncAfter", "false", "true", true],
      ["Task_RateRisk", "changed", "camunda:exclusive", "true", "false", false],
    ]);
  });

  test("multi-instance added is one migration-relevant change with its collection", async () => {
    const diff = await fixtureDiff("bpmn", "multi-instance-added");
    assert.deepEqual(rows(diff.changes), [
      [
        "Task_Archive",
        "changed",
        "multiInstance",
        null,
        `isSequential false, camunda:collection ${juel("documents")}, camunda:elementVariable document`,
        true,
      ],
    ]);
  });

  test("an activity moved out of its sub-process changes scope (migration-relevant)", async () => {
    const diff = await fixtureDiff("bpmn", "scope-changed");
    const scope = diff.changes.filter((c) => c.property === "scope");
    assert.deepEqual(rows(scope), [
      ["Task_Archive", "changed", "scope", "SubProcess_Archive", "claim_review", true],
      // A sequence flow holds no instances: its scope change is reported but not flagged.
      ["Flow_ArchiveDone", "changed", "scope", "SubProcess_Archive", "claim_review", false],
    ]);
  });

  test("a type change (service task → user task) is migration-relevant, with the properties that went", async () => {
    const diff = await fixtureDiff("bpmn", "type-changed");
    assert.deepEqual(rows(diff.changes), [
      ["Task_Escalate", "changed", "type", "service task", "user task", true],
      ["Task_Escalate", "changed", "camunda:type", "external", null, false],
      ["Task_Escalate", "changed", "camunda:topic", "escalate-review", null, false],
      ["Task_Escalate", "changed", "camunda:candidateGroups", null, "supervisors", false],
    ]);
  });

  test("conditions, decisionRef, calledElement, candidate groups, form keys, history TTL and version tag", async () => {
    const cases: Array<[string, Array<[string, string | null, string | null]>]> = [
      [
        "condition-changed",
        [["conditionExpression", juel("premiumFactor < 1.2"), juel("premiumFactor <= 1.3")]],
      ],
      [
        "references-changed",
        [
          ["camunda:decisionRef", "premium_factor", "premium_factor_2025"],
          ["calledElement", "payment", "payment_v2"],
        ],
      ],
      [
        "user-task-changed",
        [
          ["camunda:formKey", "embedded:app:forms/review.html", "embedded:app:forms/review-v2.html"],
          ["camunda:candidateGroups", "underwriters", "senior-underwriters"],
        ],
      ],
      [
        "process-attributes-changed",
        [
          ["camunda:versionTag", "1.0", "1.1"],
          ["camunda:historyTimeToLive", "180", "365"],
        ],
      ],
    ];
    for (const [name, expected] of cases) {
      const diff = await fixtureDiff("bpmn", name);
      assert.deepEqual(
        diff.changes.map((c) => [c.property, c.before, c.after]),
        expected,
        name,
      );
      assert.ok(
        diff.changes.every((c) => c.type === "changed" && !c.migrationRelevant),
        name,
      );
    }
  });

  test("a removed activity is migration-relevant; its flows are removed or re-targeted", async () => {
    const diff = await fixtureDiff("bpmn", "task-removed");
    assert.deepEqual(rows(diff.changes), [
      ["Flow_Overdue", "changed", "targetRef", "Task_Escalate", "End_Escalated", false],
      ["Task_Escalate", "removed", null, "Escalate review", null, true],
      ["Flow_Escalated", "removed", null, null, null, false],
    ]);
    assert.match(
      diff.changes[1]!.message,
      /removed service task Task_Escalate "Escalate review": instances waiting in it/,
    );
  });

  test("an added activity is listed with its type and name", async () => {
    const diff = await fixtureDiff("bpmn", "task-added");
    assert.deepEqual(rows(diff.changes), [
      ["Task_NotifyCustomer", "added", null, null, "Notify customer", false],
      ["Flow_ToArchive", "changed", "targetRef", "SubProcess_Archive", "Task_NotifyCustomer", false],
      ["Flow_Notified", "added", null, null, null, false],
    ]);
    assert.equal(diff.changes[0]!.message, 'added send task Task_NotifyCustomer "Notify customer"');
  });

  test("a file added or removed lists its elements; a removed process is migration-relevant", async () => {
    const added = await diffModel({
      file: "p.bpmn",
      kind: "bpmn",
      before: null,
      after: fixture("bpmn", "base"),
    });
    assert.equal(added.status, "added");
    assert.equal(added.layoutOnly, false);
    assert.ok(added.changes.every((c) => c.type === "added" && !c.migrationRelevant));
    assert.ok(added.changes.some((c) => c.elementId === "Task_Review"));
    const removed = await diffModel({
      file: "p.bpmn",
      kind: "bpmn",
      before: fixture("bpmn", "base"),
      after: null,
    });
    assert.equal(removed.status, "removed");
    assert.deepEqual(
      removed.changes.filter((c) => c.migrationRelevant).map((c) => c.elementId),
      ["claim_review"],
    );
  });

  test("a file that is not XML is reported with file:line:column, not thrown", async () => {
    const diff = await diffModel({
      file: "processes/broken.bpmn",
      kind: "bpmn",
      before: fixture("bpmn", "base"),
      after: "<bpmn:definitions>\n  <oops\n",
    });
    assert.deepEqual(diff.changes, []);
    assert.match(
      diff.problem ?? "",
      /^processes\/broken\.bpmn:\d+:\d+ \(after\) is not well-formed XML: .+; fix the file/,
    );
  });
});
