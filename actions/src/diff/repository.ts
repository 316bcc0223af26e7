/**
 * `camunda-gitops diff`'s input: the BPMN/DMN files that differ between a base commit (by default the
 * merge base with the main branch) and a head (a commit, or the working tree), each compared by
 * diffModel.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  changedFiles,
  isGitRepository,
  mainBranch,
  mergeBase,
  readFileAt,
  resolveCommit,
} from "#core/git/repository.js";
import { resourceKind } from "#core/release/source.js";
import { UsageError } from "#core/util/errors.js";
import { diffModel } from "./model.js";
import { type DiffReport, type FileDiff, WORKTREE } from "./types.js";

export interface DiffOptions {
  repoRoot: string;
  /** Base ref; default: the merge base of the head and the main branch. */
  base?: string | undefined;
  /** Head ref; default: the working tree (uncommitted and untracked files included). */
  head?: string | undefined;
  /** Files or folders relative to the repository root; default `processes`. */
  paths?: readonly string[] | undefined;
}

async function defaultBase(repo: string, head: string | null): Promise<string> {
  const main = await mainBranch(repo);
  if (!main) {
    throw new UsageError(
      "diff: no main branch found (origin/HEAD, main or master) to compare with; pass --base <ref>.",
    );
  }
  const base = await mergeBase(repo, head ?? "HEAD", main);
  if (!base) {
    throw new UsageError(
      `diff: ${head ?? "HEAD"} and ${main} share no history (a shallow clone?); pass --base <ref> or fetch more history (\`git fetch --unshallow\`, or fetch-depth: 0 in GitHub Actions).`,
    );
  }
  return base;
}

/** Paths with forward slashes, relative to the repository root; refuses paths outside it. */
function normalisePaths(repoRoot: string, paths: readonly string[]): string[] {
  return paths.map((p) => {
    const relative = path.relative(repoRoot, path.resolve(repoRoot, p)).split(path.sep).join("/");
    if (relative.startsWith("..") || path.isAbsolute(relative)) {
      throw new UsageError(`diff: ${p} is outside the repository ${repoRoot}; pass paths inside it.`);
    }
    return relative === "" ? "." : relative;
  });
}

export async function diffRepository(options: DiffOptions): Promise<DiffReport> {
  const repo = path.resolve(options.repoRoot);
  if (!(await isGitRepository(repo))) {
    throw new UsageError(`diff: ${repo} is not a git repository; run it inside a clone.`);
  }
  const head = options.head ? await resolveCommit(repo, options.head) : null;
  const base = options.base ? await resolveCommit(repo, options.base) : await defaultBase(repo, head);
  const paths = normalisePaths(
    repo,
    options.paths && options.paths.length > 0 ? options.paths : ["processes"],
  );

  const files: FileDiff[] = [];
  for (const changed of await changedFiles(repo, base, head, paths)) {
    const kind = resourceKind(changed.path);
    // Camunda Forms are released with the models but are not compared element by element here.
    if (kind === null || kind === "form") continue;
    const beforePath = changed.previousPath ?? changed.path;
    const before =
      changed.status === "added"
        ? null
        : ((await readFileAt(repo, base, beforePath))?.toString("utf8") ?? null);
    let after: string | null = null;
    if (changed.status !== "removed") {
      after = head
        ? ((await readFileAt(repo, head, changed.path))?.toString("utf8") ?? null)
        : await readFile(path.join(repo, changed.path), "utf8");
    }
    // A rename into another model kind (x.bpmn → x.dmn) is a removal and an addition.
    const renamedAcrossKinds =
      changed.previousPath !== undefined && resourceKind(changed.previousPath) !== kind;
    if (renamedAcrossKinds) {
      files.push(await diffModel({ file: changed.path, kind, before: null, after }));
      continue;
    }
    files.push(
      await diffModel({
        file: changed.path,
        kind,
        before,
        after,
        ...(changed.previousPath ? { previousFile: changed.previousPath } : {}),
      }),
    );
  }
  return { base, head: head ?? WORKTREE, files };
}
