import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { COMMENT_MARKER, formatMarkdown } from "#core/diff/format/markdown.js";
import type { Change, DiffReport } from "#core/diff/types.js";
import { fixtureDiff } from "./support.js";

const GITHUB_COMMENT_LIMIT = 65_536;

async function report(...pairs: Array<["bpmn" | "dmn", string]>): Promise<DiffReport> {
  return {
    base: "0123456789abcdef0123456789abcdef01234567",
    head: "fedcba9876543210fedcba9876543210fedcba98",
    files: await Promise.all(pairs.map(([kind, name]) => fixtureDiff(kind, name))),
  };
}

describe("the review comment (Markdown)", () => {
  test("semantic changes first, migration-relevant ones first and in bold, layout folded away", async () => {
    const text = formatMarkdown(
      await report(["bpmn", "layout-only"], ["bpmn", "task-removed"], ["dmn", "rule-value"]),
      { marker: COMMENT_MARKER, reportUrl: "https://example.test/run/1#artifacts" },
    );
    const lines = text.split("\n");
    assert.equal(lines[0], COMMENT_MARKER);
    assert.match(
      text,
      /3 model files changed \(`0123456` → `fedcba9`\) · 4 behaviour changes · \*\*1 migration-relevant change\*\* · 1 file with layout changes only/,
    );
    assert.match(
      text,
      /HTML report in \[this run's artifacts\]\(https:\/\/example\.test\/run\/1#artifacts\)/,
    );
    // task-removed: the removed task (migration-relevant, bold) comes before the re-targeted flow.
    const removedRow = lines.findIndex((l) => l.includes("Task\\_Escalate") && l.startsWith("| ⚠️"));
    const flowRow = lines.findIndex((l) => l.includes("Flow\\_Overdue"));
    assert.ok(removedRow > 0 && removedRow < flowRow, text);
    assert.match(
      lines[removedRow]!,
      /^\| ⚠️ \*\*removed\*\* \| \*\*service task Task\\_Escalate "Escalate review"\*\* \|/,
    );
    assert.ok(
      text.includes(
        "| changed | rule Rule\\_London in premium\\_factor | `Premium factor` | `1.25` | `1.3` |",
      ),
      text,
    );
    // The layout-only file is listed in a collapsed block at the end.
    const details = text.lastIndexOf(
      "<details><summary>1 file with layout or modeler metadata changes only</summary>",
    );
    assert.ok(details > text.indexOf("rule-value.dmn"));
    assert.ok(text.includes("- `processes/layout-only.bpmn`: 5 layout or metadata changes"));
  });

  test("a moved rule under FIRST says that the order is business logic", async () => {
    const text = formatMarkdown(await report(["dmn", "rules-reordered"]));
    assert.ok(
      text.includes(
        "> Hit policy **FIRST** in decision premium\\_factor: the first matching rule wins, so the order of the rules is business logic.",
      ),
      text,
    );
    assert.ok(
      text.includes("| changed | rule Rule\\_OldVehicle in premium\\_factor | `position` | `3` | `1` |"),
      text,
    );
  });

  test("values cannot break the table or inject HTML", async () => {
    const r = await report(["bpmn", "topic-changed"]);
    const change = r.files[0]!.changes[0]!;
    change.after = "a|b `c` <script>alert(1)</script>\nnext line";
    const row = formatMarkdown(r)
      .split("\n")
      .find((l) => l.includes("camunda:topic"))!;
    assert.equal(row.split(/(?<!\\)\|/).length, 7, row);
    assert.ok(row.includes("`a\\|b ʼcʼ <script>alert(1)</script> next line`"), row);
  });

  test("a huge change stays under GitHub's comment limit and says how many rows are missing", async () => {
    const base = (await fixtureDiff("bpmn", "topic-changed")).changes[0]!;
    const changes: Change[] = Array.from({ length: 3000 }, (_, i) => ({
      ...base,
      elementId: `Task_${i}`,
      after: `topic-${i}-${"x".repeat(40)}`,
      migrationRelevant: i % 10 === 0,
    }));
    const text = formatMarkdown({
      base: "a".repeat(40),
      head: "b".repeat(40),
      files: [{ file: "processes/big.bpmn", kind: "bpmn", status: "changed", layoutOnly: false, changes }],
    });
    assert.ok(text.length < GITHUB_COMMENT_LIMIT, `${text.length} characters`);
    const shown = text.split("\n").filter((l) => /\| Task\\_\d+/.test(l) || /Task\\_\d+/.test(l)).length;
    const more = Number(/… and (\d+) more changes not shown here/.exec(text)?.[1]);
    assert.equal(shown + more, 3000, `${shown} shown + ${more} more`);
    // Migration-relevant rows are the ones kept first.
    assert.ok(text.indexOf("Task\\_0 ") < text.indexOf("Task\\_1 "));
  });

  test("no model change: one line", () => {
    const text = formatMarkdown({ base: "a".repeat(40), head: "WORKTREE", files: [] });
    assert.match(text, /No BPMN or DMN file changed\./);
  });
});
