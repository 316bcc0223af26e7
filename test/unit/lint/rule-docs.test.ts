/**
 * Every rule of the pack has its page in docs/lint/rules/, and the page tells the truth: its failing
 * example produces a finding of the rule, its fixed example none, and it states the rule's consequence.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { lint, ruleDocs } from "#core/lint/index.js";
import { projectRules } from "#core/lint/plugin/index.js";
import { repoPath } from "../../support/repo.js";
import { asFile, docsExample, fixtureRegistry, fixtures } from "./support.js";

const pagesDir = repoPath("docs/lint/rules");

async function lintSnippet(rule: string, snippet: string) {
  const dir = await mkdtemp(path.join(tmpdir(), "lint-docs-"));
  try {
    const { name, text } = asFile(rule, snippet);
    await writeFile(path.join(dir, name), text);
    const report = await lint({
      paths: [path.join(dir, name)],
      root: dir,
      indexPaths: [path.join(fixtures, "index")],
      registry: { file: repoPath(fixtureRegistry.file) },
      configFile: null,
    });
    return report.findings.filter((f) => f.rule === `camunda-gitops/${rule}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("rule pages: one per rule, with examples that behave as they say", () => {
  test("every rule has a page and every page a rule; findings link to it", () => {
    const pages = readdirSync(pagesDir).map((f) => f.replace(/\.md$/, ""));
    assert.deepEqual(pages.sort(), projectRules.map((r) => r.name).sort());
    for (const rule of projectRules) {
      assert.equal(ruleDocs(`camunda-gitops/${rule.name}`), `docs/lint/rules/${rule.name}.md`);
    }
    // The linter's own checks link to the overview, which lists them.
    const overview = readFileSync(repoPath("docs/lint/README.md"), "utf8");
    assert.match(ruleDocs("camunda-gitops/not-xml"), /docs\/lint\/README\.md#checks-of-the-linter-itself$/);
    assert.match(overview, /## Checks of the linter itself/);
    for (const rule of projectRules) assert.ok(overview.includes(`(rules/${rule.name}.md)`), rule.name);
    assert.ok(existsSync(repoPath(ruleDocs("camunda-gitops/schema"))));
  });

  for (const rule of projectRules) {
    test(`${rule.name}: states its consequence; the failing example is reported, the fixed one is not`, async () => {
      const page = readFileSync(path.join(pagesDir, `${rule.name}.md`), "utf8");
      assert.match(page, new RegExp(`^# camunda-gitops/${rule.name}\\n`));
      assert.match(page, new RegExp(`Consequence: \\*\\*${rule.consequence}\\*\\*`));
      for (const heading of ["What it catches", "Why it matters"])
        assert.ok(page.includes(`## ${heading}\n`));
      const failing = docsExample(page, "Failing");
      const fixed = docsExample(page, "Fixed");
      // The registry check runs over the whole repository, not a single file: its examples are TypeScript.
      if (rule.name === "unused-topic") return;
      assert.ok(
        (await lintSnippet(rule.name, failing)).length > 0,
        `the failing example of ${rule.name} is reported`,
      );
      assert.deepEqual(await lintSnippet(rule.name, fixed), [], `the fixed example of ${rule.name} is clean`);
    });
  }
});
