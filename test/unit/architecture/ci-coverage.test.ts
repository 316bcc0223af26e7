/**
 * Every test file runs in some job of the pull-request workflow. The jobs' `npm test -- …` lines are
 * read from .github/workflows/pull-request.yml and resolved with the selection test/run.ts itself
 * uses, so a new test folder that no job selects fails here instead of silently never running in CI.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { repoPath, repoRoot } from "../../support/repo.js";
import { findTestFiles, parseSelection, type Selection, selectTests } from "../../support/test-selection.js";

interface Step {
  name?: string;
  run?: string;
}

/** Each `npm test -- <args>` of the workflow, with its job and step, as a selection. */
export function testSelections(workflowText: string): { where: string; selection: Selection }[] {
  const workflow = parse(workflowText) as { jobs: Record<string, { steps?: Step[] }> };
  const out: { where: string; selection: Selection }[] = [];
  for (const [job, { steps = [] }] of Object.entries(workflow.jobs)) {
    for (const step of steps) {
      for (const command of (step.run ?? "").split(/\n|&&/)) {
        const match = /\bnpm test\s+--\s+(.*)$/.exec(command.trim());
        if (!match) continue;
        const args = (match[1] as string).split(/\s+/).filter(Boolean);
        out.push({ where: `${job} / ${step.name ?? command.trim()}`, selection: parseSelection(args) });
      }
    }
  }
  return out;
}

/** The test files that no selection runs. */
export function unselected(all: readonly string[], selections: readonly Selection[]): string[] {
  const run = new Set(selections.flatMap((s) => selectTests(all, s)));
  return all.filter((f) => !run.has(f));
}

describe("CI runs every test", () => {
  const all = findTestFiles(repoRoot);
  const selections = testSelections(
    readFileSync(repoPath(".github", "workflows", "pull-request.yml"), "utf8"),
  );

  it("finds the test files and the workflow's test commands", () => {
    assert.ok(all.length > 100, `only ${all.length} test files found`);
    assert.ok(selections.length >= 3, `only ${selections.length} npm test lines in pull-request.yml`);
  });

  it("every test file runs in some job of the pull-request workflow", () => {
    assert.deepEqual(
      unselected(
        all,
        selections.map((s) => s.selection),
      ),
      [],
      "these test files run in no job: add their folder to a job's npm test line in .github/workflows/pull-request.yml",
    );
  });

  it("every folder a job names holds tests (a renamed folder would select nothing)", () => {
    for (const { where, selection } of selections) {
      for (const prefix of [...selection.include, ...selection.exclude]) {
        assert.ok(
          selectTests(all, { include: [prefix], exclude: [] }).length > 0,
          `${where}: "${prefix}" selects no test file`,
        );
      }
    }
  });

  it("would notice a folder that no job selects, and honours --exclude", () => {
    const files = ["test/unit/a.test.ts", "test/integration/x/b.test.ts", "test/integration/y/c.test.ts"];
    const jobs = testSelections(
      [
        "jobs:",
        "  a:",
        "    steps:",
        "      - run: npm test -- test/unit",
        "  b:",
        "    steps:",
        "      - run: >-",
        "          npm test -- test/integration",
        "          --exclude test/integration/y",
      ].join("\n"),
    );
    assert.deepEqual(
      unselected(
        files,
        jobs.map((j) => j.selection),
      ),
      ["test/integration/y/c.test.ts"],
    );
  });
});
