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
