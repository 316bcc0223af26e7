import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { validateAppspec } from "#core/bundle/appspec.js";
import { buildBundle } from "#core/bundle/build.js";
import { UserError } from "#core/util/errors.js";
import { repoPath, repoRoot } from "../../support/repo.js";

const work = mkdtempSync(path.join(tmpdir(), "appspec-"));
after(() => rmSync(work, { recursive: true, force: true }));
const layout = [
  { from: "deploy/appspec.yml", to: "appspec.yml" },
  { from: "deploy/scripts/", to: "scripts/" },
];

async function problemsOf(fixture: string): Promise<string[]> {
  try {
    await buildBundle({
      root: repoPath("test/unit/bundle/fixtures", fixture),
      layout,
      out: path.join(work, `${fixture}.zip`),
    });
  } catch (error) {
    assert.ok(error instanceof UserError, `a UserError, not ${String(error)}`);
    assert.match(error.message, /is not a valid CodeDeploy appspec/);
    return [...error.details];
  }
  return [];
}

describe("appspec validation before packaging", () => {
  test("the valid fixture and the repository's own appspec pass", async () => {
    assert.deepEqual(await problemsOf("valid"), []);
    const built = await buildBundle({ root: repoRoot, out: path.join(work, "repo.zip") });
    assert.equal(built.hooks.length, 5);
  });

  test("a hook script missing from the bundle is reported with its line", async () => {
    const problems = await problemsOf("missing-script");
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /appspec\.yml:12: ValidateService: script scripts\/validate\.sh is not in the bundle/,
    );
  });

  test("a hook script that is not executable is reported with the fix", async () => {
    const problems = await problemsOf("non-executable-script");
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /:12: ValidateService: script scripts\/validate\.sh is not executable \(mode 644\)/,
    );
    assert.match(problems[0]!, /chmod \+x/);
  });

  test("a version other than 0.0 is refused", async () => {
    const problems = await problemsOf("bad-version");
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /appspec\.yml:1: version is "1\.0" but CodeDeploy only accepts 0\.0/);
  });

  test("a timeout over 3600 s is refused", async () => {
    const problems = await problemsOf("timeout-too-long");
    assert.ok(
      problems.some((p) =>
        /:13: ValidateService: timeout 3700 s is over CodeDeploy's limit of 3600 s/.test(p),
      ),
      problems.join("\n"),
    );
    assert.ok(problems.some((p) => /:11: the scripts of ValidateService may run 3700 s together/.test(p)));
  });

  test("scripts of one lifecycle event may not exceed 3600 s together", () => {
    const entries = new Map([
      ["a.sh", { mode: 0o755 }],
      ["b.sh", { mode: 0o755 }],
    ]);
    const text = [
      "version: 0.0",
      "os: linux",
      "hooks:",
      "  AfterInstall:",
      "    - location: a.sh",
      "      timeout: 2000",
      "    - location: b.sh",
      "      timeout: 2000",
    ].join("\n");
    const { problems } = validateAppspec(text, entries);
    assert.deepEqual(problems, [
      {
        line: 4,
        message:
          "the scripts of AfterInstall may run 4000 s together, over CodeDeploy's 3600 s per lifecycle event: lower their timeouts",
      },
    ]);
  });

  test("structure: reserved and unknown hooks, wrong os, unknown keys, missing timeout, bad YAML", () => {
    const entries = new Map([["s.sh", { mode: 0o755 }]]);
    const { problems } = validateAppspec(
      [
        "version: 0.0",
        "os: windows",
        "colour: blue",
        "hooks:",
        "  Install:",
        "    - location: s.sh",
        "      timeout: 10",
        "  AfterDeploy:",
        "    - location: s.sh",
        "      timeout: 10",
        "  ApplicationStart:",
        "    - location: s.sh",
      ].join("\n"),
      entries,
    );
    const messages = problems.map((p) => `${p.line}: ${p.message}`);
    assert.ok(
      messages.some((m) => /^2: os is "windows"/.test(m)),
      messages.join("\n"),
    );
    assert.ok(messages.some((m) => /^3: unknown key "colour"/.test(m)));
    assert.ok(messages.some((m) => /^5: hook Install is run by CodeDeploy itself/.test(m)));
    assert.ok(messages.some((m) => /^8: unknown lifecycle event "AfterDeploy"/.test(m)));
    assert.ok(messages.some((m) => /^12: ApplicationStart: s\.sh has no timeout/.test(m)));
    assert.equal(
      validateAppspec("version: [0.0", entries).problems[0]?.message.startsWith("not valid YAML"),
      true,
    );
  });
});
