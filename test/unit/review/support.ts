/**
 * Runs the committed review-processes bundle the way a runner does: a checkout with a pull request
 * branch, the recorded pull_request event, inputs as INPUT_* variables, outputs and the job summary
 * as files, and the GitHub API answered by the local fake server.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FakeGitHub } from "../../support/fake-github.js";
import { repoPath } from "../../support/repo.js";
import { fixture, TempGit } from "../diff/support.js";

export const bundle = repoPath("actions", "review-processes", "dist", "index.js");
export const REPOSITORY = "example-org/claims-platform";
export const ISSUE = `${REPOSITORY}#7`;

/** main: a process and a decision; branch premium-london: the London factor and the review timer change. */
export function pullRequestCheckout(): TempGit {
  const repo = new TempGit();
  repo.write(".gitignore", "node_modules\n");
  repo.write("processes/claim.bpmn", fixture("bpmn", "base"));
  repo.write("processes/premium.dmn", fixture("dmn", "base"));
  repo.commit("models");
  repo.git("checkout", "--quiet", "-b", "premium-london");
  repo.write("processes/claim.bpmn", fixture("bpmn", "timer-changed"));
  repo.write("processes/premium.dmn", fixture("dmn", "rule-value"));
  repo.commit("London 1.3, review timer 24 hours");
  // The action finds bpmn-js and playwright-core in the checkout's node_modules, as after `npm ci`.
  symlinkSync(repoPath("node_modules"), path.join(repo.root, "node_modules"));
  return repo;
}

export interface ActionRun {
  code: number | null;
  log: string;
  summary: string;
  outputs: Record<string, string>;
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

export function runAction(
  repo: TempGit,
  github: FakeGitHub,
  options: {
    inputs?: Record<string, string>;
    event?: (event: Record<string, unknown>) => void;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<ActionRun> {
  const runner = path.join(repo.root, "..", `${path.basename(repo.root)}-runner`);
  mkdirSync(runner, { recursive: true });
  const event = JSON.parse(
    readFileSync(repoPath("test/fixtures/review/pull_request.json"), "utf8")
      .replaceAll("BASE_SHA", repo.git("rev-parse", "main"))
      .replaceAll("HEAD_SHA", repo.git("rev-parse", "HEAD")),
  );
  options.event?.(event);
  const files = {
    event: path.join(runner, "event.json"),
    output: path.join(runner, "output"),
    summary: path.join(runner, "summary.md"),
  };
  writeFileSync(files.event, JSON.stringify(event));
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const inputs: Record<string, string> = {
    token: "ghs_workflow_token",
    base: "",
    paths: "processes",
    "report-dir": "",
    pictures: "false",
    comment: "true",
    environment: "",
    ...options.inputs,
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_RUN_ID: "4242",
    GITHUB_WORKSPACE: repo.root,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: runner,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle], { cwd: repo.root, env });
    let log = "";
    child.stdout.on("data", (d: Buffer) => {
      log += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      log += d.toString();
    });
    child.on("close", (code) =>
      resolve({
        code,
        log,
        summary: readFileSync(files.summary, "utf8"),
        outputs: parseOutputs(readFileSync(files.output, "utf8")),
      }),
    );
  });
}
