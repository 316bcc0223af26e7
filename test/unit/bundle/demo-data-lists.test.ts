/**
 * deploy/scripts/validate.sh repeats in bash (hosts have no Node) the names of Camunda Run's invoice
 * example that actions/src/probe/demo-data.ts looks for. bash itself reads the script's array lines
 * here, so quoting is taken as the hook will take it, and each list must equal its TypeScript twin.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { loadManifest, manifestFile } from "#core/fidelity/manifest.js";
import { invoiceExample } from "#core/probe/demo-data.js";
import { repoPath, repoRoot } from "../../support/repo.js";

const arrays = {
  demo_users: "users",
  demo_groups: "groups",
  demo_filters: "filters",
  invoice_processes: "processes",
  invoice_decisions: "decisions",
} as const;

function bashLists(script: string): Record<string, string[]> {
  const lines = script.split("\n").filter((line) => /^(\w+)=\(/.test(line) && line.split("=")[0]! in arrays);
  assert.equal(
    lines.length,
    Object.keys(arrays).length,
    `validate.sh declares ${Object.keys(arrays).join(", ")}`,
  );
  const print = Object.keys(arrays)
    .map((name) => `printf '%s\\0' "${name}" "\${#${name}[@]}" "\${${name}[@]}"`)
    .join("\n");
  const run = spawnSync("bash", ["-c", `${lines.join("\n")}\n${print}`], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const words = run.stdout.split("\0");
  const lists: Record<string, string[]> = {};
  for (let i = 0; i < words.length - 1; ) {
    const name = words[i]!;
    const count = Number(words[i + 1]);
    lists[name] = words.slice(i + 2, i + 2 + count);
    i += 2 + count;
  }
  return lists;
}

test("validate.sh looks for exactly the demo users, groups, filters and invoice definitions the probe does", () => {
  const lists = bashLists(readFileSync(repoPath("deploy/scripts/validate.sh"), "utf8"));
  const expected = invoiceExample(loadManifest(manifestFile(repoRoot)).capabilities.demoUsers);
  for (const [bashName, field] of Object.entries(arrays)) {
    assert.deepEqual(lists[bashName], [...expected[field]], `${bashName} in validate.sh`);
  }
  // The lists are not empty by accident (a parse that found nothing would compare [] with []).
  assert.deepEqual(lists.demo_users, ["demo", "john", "mary", "peter"]);
  assert.ok(lists.demo_filters?.includes("John's Tasks"));
});

test("a list that drifts is caught (a filter name missing from the bash copy)", () => {
  const script = readFileSync(repoPath("deploy/scripts/validate.sh"), "utf8").replace(
    ' "Peter\'s Tasks"',
    "",
  );
  const expected = invoiceExample([]).filters;
  assert.notDeepEqual(bashLists(script).demo_filters, [...expected]);
});
