/**
 * Read-only access to a git repository through the git command line: which commit a ref names, the
 * files of a folder at that commit, and whether the working tree differs from HEAD. A release of an
 * older ref (a rollback) reads the model files from here instead of from the working tree.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { UsageError, UserError } from "#core/util/errors.js";

const run = promisify(execFile);

/** One blob of a tree listing. */
export interface TreeEntry {
  /** Path relative to the repository root, forward slashes. */
  path: string;
  /** Blob object id. */
  object: string;
}

async function git(repo: string, args: string[]): Promise<Buffer> {
  try {
    const { stdout } = await run("git", ["-C", repo, ...args], {
      encoding: "buffer",
      // Model files are small, but a repository may hold many of them.
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
    });
    return stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (failure.code === "ENOENT") {
      throw new UserError("git is not installed or not on PATH; install git to release from a git ref.");
    }
    const stderr = failure.stderr?.toString("utf8").trim().split("\n")[0] ?? failure.message;
    throw new GitCommandError(args, stderr);
  }
}

class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")}: ${stderr}`);
  }
}

/** True when `repo` is inside a git work tree. */
export async function isGitRepository(repo: string): Promise<boolean> {
  try {
    return (await git(repo, ["rev-parse", "--is-inside-work-tree"])).toString("utf8").trim() === "true";
  } catch (error) {
    if (error instanceof GitCommandError) return false;
    throw error;
  }
}

/**
 * The full commit id a ref (tag, branch, sha, `HEAD~2`) names. An unknown ref is a usage error that
 * says how to make it known (a shallow CI checkout only has the tip).
 */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  // A ref starting with "-" would be read by git as an option.
  if (ref.trim() === "" || ref.startsWith("-") || /[\s\0]/.test(ref)) {
    throw new UsageError(`"${ref}" is not a valid git ref; pass a tag, branch or commit sha.`);
  }
  if (!(await isGitRepository(repo))) {
    throw new UsageError(
      `${repo} is not a git repository, so --ref ${ref} cannot be read; run from a clone.`,
    );
  }
  try {
    return (await git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).toString("utf8").trim();
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    throw new UsageError(
      `git ref "${ref}" does not name a commit in ${repo}; check the tag or sha, or fetch it (\`git fetch --tags\`; in GitHub Actions check out with fetch-depth: 0).`,
    );
  }
}

/** HEAD's commit, or null when `repo` is not a git repository or has no commit yet. */
export async function headCommit(repo: string): Promise<string | null> {
  try {
    return (
      (await git(repo, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])).toString("utf8").trim() || null
    );
  } catch (error) {
    if (error instanceof GitCommandError) return null;
    throw error;
  }
}

/** The URL of the `origin` remote, or null when there is none (or no repository). */
export async function originUrl(repo: string): Promise<string | null> {
  try {
    return (await git(repo, ["remote", "get-url", "origin"])).toString("utf8").trim() || null;
  } catch (error) {
    if (error instanceof GitCommandError) return null;
    throw error;
  }
}

/** The branch HEAD is on, or null when detached or not a repository. */
export async function currentBranch(repo: string): Promise<string | null> {
  try {
    return (await git(repo, ["symbolic-ref", "--quiet", "--short", "HEAD"])).toString("utf8").trim() || null;
  } catch (error) {
    if (error instanceof GitCommandError) return null;
    throw error;
  }
}

/** True when files under `folder` differ from HEAD (modified, staged, or untracked). */
export async function hasLocalChanges(repo: string, folder: string): Promise<boolean> {
  try {
    const out = await git(repo, ["status", "--porcelain", "--untracked-files=all", "--", folder]);
    return out.length > 0;
  } catch (error) {
    if (error instanceof GitCommandError) return false;
    throw error;
  }
}

/**
 * Every regular file under `folder` at `commit`. Symlinks and submodules are left out: a release
 * deploys file contents, and a link's target is not part of the model.
 */
export async function listFiles(repo: string, commit: string, folder: string): Promise<TreeEntry[]> {
  const prefix = folder.replace(/\/+$/, "");
  const out = await git(repo, ["ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix]);
  const entries: TreeEntry[] = [];
  for (const record of out.toString("utf8").split("\0")) {
    if (!record) continue;
    // "<mode> <type> <object>\t<path>"
    const tab = record.indexOf("\t");
    const [mode, type, object] = record.slice(0, tab).split(" ");
    const file = record.slice(tab + 1);
    if (type !== "blob" || mode === "120000" || !object) continue;
    if (file !== prefix && !file.startsWith(`${prefix}/`)) continue;
    entries.push({ path: file, object });
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}

/** The bytes of one blob. */
export async function readBlob(repo: string, object: string): Promise<Buffer> {
  return git(repo, ["cat-file", "blob", object]);
}

/** One file that differs between two trees (or a tree and the working tree). */
export interface ChangedFile {
  status: "added" | "removed" | "changed";
  /** Path now (for a removed file: the path it had). */
  path: string;
  /** The path before a rename, when git paired the two. */
  previousPath?: string;
}

/**
 * Files under `paths` that differ between `base` and `head` (null: the working tree, untracked files
 * included). Renames are paired, so a moved model reads as one changed file.
 */
export async function changedFiles(
  repo: string,
  base: string,
  head: string | null,
  paths: readonly string[],
): Promise<ChangedFile[]> {
  const spec = paths.length > 0 ? ["--", ...paths] : [];
  const args = ["diff", "--name-status", "-z", "-M", "--no-ext-diff", base, ...(head ? [head] : []), ...spec];
  const fields = (await git(repo, args)).toString("utf8").split("\0");
  const files: ChangedFile[] = [];
  for (let i = 0; i < fields.length; ) {
    const code = fields[i++] ?? "";
    if (!code) continue;
    const letter = code[0];
    if (letter === "R" || letter === "C") {
      const from = fields[i++] ?? "";
      const to = fields[i++] ?? "";
      if (letter === "R") files.push({ status: "changed", path: to, previousPath: from });
      else files.push({ status: "added", path: to });
      continue;
    }
    const file = fields[i++] ?? "";
    if (letter === "A") files.push({ status: "added", path: file });
    else if (letter === "D") files.push({ status: "removed", path: file });
    else files.push({ status: "changed", path: file });
  }
  if (head === null) {
    const untracked = await git(repo, ["ls-files", "-z", "--others", "--exclude-standard", ...spec]);
    for (const file of untracked.toString("utf8").split("\0")) {
      if (file) files.push({ status: "added", path: file });
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The bytes of `file` at `commit`, or null when the commit has no such file. */
export async function readFileAt(repo: string, commit: string, file: string): Promise<Buffer | null> {
  try {
    return await git(repo, ["cat-file", "blob", `${commit}:${file}`]);
  } catch (error) {
    if (error instanceof GitCommandError) return null;
    throw error;
  }
}

/** The best common ancestor of two commits, or null when they share none. */
export async function mergeBase(repo: string, a: string, b: string): Promise<string | null> {
  try {
    return (await git(repo, ["merge-base", a, b])).toString("utf8").trim() || null;
  } catch (error) {
    if (error instanceof GitCommandError) return null;
    throw error;
  }
}

/**
 * The main branch as this clone knows it: the remote's default branch (`origin/HEAD`), else
 * `origin/main`, `main`, `origin/master`, `master`; null when none exists.
 */
export async function mainBranch(repo: string): Promise<string | null> {
  try {
    const remoteHead = (await git(repo, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]))
      .toString("utf8")
      .trim();
    if (remoteHead) return remoteHead;
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
  }
  for (const candidate of ["origin/main", "main", "origin/master", "master"]) {
    try {
      await git(repo, ["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`]);
      return candidate;
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
    }
  }
  return null;
}

/** True when `commit` is `branch`'s tip or one of its ancestors (the branch's history holds it). */
export async function isAncestor(repo: string, commit: string, branch: string): Promise<boolean> {
  try {
    await git(repo, ["merge-base", "--is-ancestor", commit, branch]);
    return true;
  } catch (error) {
    // Exit 1 means "not an ancestor"; an unknown object is reported by resolveCommit before this.
    if (error instanceof GitCommandError) return false;
    throw error;
  }
}

/** The top folder of the work tree that holds `dir`, or null outside a git work tree. */
export async function topLevel(dir: string): Promise<string | null> {
  try {
    return (await git(dir, ["rev-parse", "--show-toplevel"])).toString("utf8").trim() || null;
  } catch (error) {
    if (error instanceof GitCommandError) return null;
    throw error;
  }
}
