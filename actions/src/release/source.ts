/**
 * What a release deploys: the BPMN/DMN files and Camunda Forms of `processes/`, read either from the
 * working tree or from a git ref (a rollback). A ref is exported into a temporary folder with the same layout, so the
 * linter, the plan and the smoke examples read the ref's files exactly as they read the working tree.
 *
 * A ref is a source of files nobody may have reviewed, so it is held to three rules: it must be on
 * the main branch (merged, hence reviewed) unless the caller allows otherwise; every exported path
 * stays inside the export folder; and the ref's own lint configuration is never used — the export
 * carries the configuration of the checkout that runs the release, so a ref cannot switch rules off
 * or declare its models not-for-release.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  currentBranch,
  hasLocalChanges,
  headCommit,
  isAncestor,
  listFiles,
  mainBranch,
  readBlob,
  resolveCommit,
} from "#core/git/repository.js";
import { filesUnder, kindOf } from "#core/lint/discover.js";
import { UsageError, UserError } from "#core/util/errors.js";

export type ResourceKind = "bpmn" | "dmn" | "form";
/** The kinds that hold process and decision definitions (read as XML models). */
export type ModelKind = Exclude<ResourceKind, "form">;

/** One file deployed as one engine resource. */
export interface Resource {
  /** Resource name in the engine: the path below processes/, forward slashes (e.g. `claims/claim.bpmn`). */
  name: string;
  /** Path relative to the repository root (`processes/claims/claim.bpmn`), for messages and annotations. */
  file: string;
  /** Where the bytes were read from (working tree or the export of a ref). */
  absolute: string;
  kind: ResourceKind;
  content: Buffer;
  /** The content as UTF-8 text; the engine stores and returns exactly these bytes. */
  text: string;
  sha256: string;
}

export interface ReleaseSource {
  /** Folder that holds `processes/` (the repository, or the export of a ref). */
  root: string;
  /** Absolute path of the processes folder inside `root`. */
  processesDir: string;
  /** Processes folder relative to the repository root, e.g. `processes`. */
  processesPath: string;
  /** Commit the files come from (HEAD for the working tree), null outside a git repository. */
  commit: string | null;
  /** The ref as given with --ref, or the current branch for the working tree. */
  ref: string | null;
  /** True when the working tree's processes differ from HEAD (never for a ref). */
  dirty: boolean;
  resources: Resource[];
  /** Removes the temporary export of a ref; a no-op for the working tree. */
  dispose(): Promise<void>;
}

export interface SourceOptions {
  /** Repository root. */
  repoRoot: string;
  /** Processes folder relative to the repository root. Default `processes`. */
  processesPath?: string;
  /** Read the files of this git ref instead of the working tree. */
  ref?: string | undefined;
  /**
   * Accept a ref that is not on the main branch (an unmerged commit). Off by default: a release from a
   * ref is a rollback to reviewed files. The caller decides where this may be allowed (never prod).
   */
  allowUnmerged?: boolean;
}

/** The lint configuration inside the processes folder; it also says which models are not for release. */
export const LINT_CONFIG_FILE = ".bpmnlintrc";

/** Folders below processes/ that never hold released models, whatever the lint config says. */
const NEVER_RELEASED = new Set(["examples", "tests", "node_modules"]);

export function resourceKind(file: string): ResourceKind | null {
  // The suffixes the engine's BPMN and DMN deployers recognise; Camunda Forms: every resource ending
  // in .form goes to the engine's form deployer.
  if (file.toLowerCase().endsWith(".form")) return "form";
  return kindOf(file);
}

export async function openSource(options: SourceOptions): Promise<ReleaseSource> {
  const repoRoot = path.resolve(options.repoRoot);
  const processesPath = (options.processesPath ?? "processes").replace(/\\/g, "/").replace(/\/+$/, "");
  if (options.ref !== undefined)
    return openRef(repoRoot, processesPath, options.ref, options.allowUnmerged === true);

  const processesDir = path.join(repoRoot, processesPath);
  if (!existsSync(processesDir)) {
    throw new UsageError(
      `${processesPath}/ does not exist in ${repoRoot}; run from the repository that holds the models.`,
    );
  }
  const commit = await headCommit(repoRoot);
  return {
    root: repoRoot,
    processesDir,
    processesPath,
    commit,
    ref: commit ? await currentBranch(repoRoot) : null,
    dirty: commit ? await hasLocalChanges(repoRoot, processesPath) : false,
    resources: await readResources(processesDir, processesPath),
    dispose: async () => {},
  };
}

async function openRef(
  repoRoot: string,
  processesPath: string,
  ref: string,
  allowUnmerged: boolean,
): Promise<ReleaseSource> {
  const commit = await resolveCommit(repoRoot, ref);
  if (!allowUnmerged) await requireMerged(repoRoot, ref, commit);
  const entries = await listFiles(repoRoot, commit, processesPath);
  if (entries.length === 0) {
    throw new UsageError(
      `${ref} (${commit.slice(0, 12)}) has no ${processesPath}/ folder; choose a ref that holds the models.`,
    );
  }
  // Every path is checked before anything is written: a refused ref leaves no partial export.
  const ownConfig = `${processesPath}/${LINT_CONFIG_FILE}`;
  const files = entries
    .map((entry) => ({ entry, segments: exportSegments(entry.path, ref) }))
    .filter(({ entry }) => entry.path !== ownConfig);
  const root = await mkdtemp(path.join(os.tmpdir(), "camunda-release-"));
  try {
    for (const { entry, segments } of files) {
      const target = insideFolder(root, segments, entry.path, ref);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, await readBlob(repoRoot, entry.object), { flag: "wx" });
    }
    const processesDir = path.join(root, processesPath);
    // The ref's own lint configuration is left out: the checkout running the release supplies it.
    const toolConfig = path.join(repoRoot, processesPath, LINT_CONFIG_FILE);
    if (existsSync(toolConfig)) {
      await mkdir(processesDir, { recursive: true });
      await copyFile(toolConfig, path.join(processesDir, LINT_CONFIG_FILE));
    }
    return {
      root,
      processesDir,
      processesPath,
      commit,
      ref,
      dirty: false,
      resources: await readResources(processesDir, processesPath),
      dispose: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** Refuses a commit the main branch does not hold: its files were never merged, hence never reviewed. */
async function requireMerged(repoRoot: string, ref: string, commit: string): Promise<void> {
  const main = await mainBranch(repoRoot);
  if (main === null) {
    throw new UsageError(
      `--ref ${ref}: this clone knows no main branch (origin/main or main), so it cannot tell whether ${commit.slice(0, 12)} was merged; fetch it (in GitHub Actions check out with fetch-depth: 0).`,
    );
  }
  if (!(await isAncestor(repoRoot, commit, main))) {
    throw new UserError(
      `--ref ${ref} (${commit.slice(0, 12)}) is not on ${main}: a release from a ref deploys only merged (reviewed) commits; merge it first, or, for a non-production environment whose file allows it, pass --allow-unmerged.`,
    );
  }
}

/**
 * The path segments of one exported file. Git refuses such trees in normal use, but a crafted commit
 * can hold them: `..`, `.` or an empty segment would write outside the export or onto another file.
 */
export function exportSegments(file: string, ref: string): string[] {
  const segments = file.split("/");
  const bad = segments.find((s) => s === ".." || s === "." || s === "" || s.includes("\\"));
  if (bad !== undefined) {
    throw new UserError(
      `--ref ${ref} holds the path "${file}", which has a ${bad === "" ? "empty" : `"${bad}"`} segment; such a path could write outside the export, so nothing was released — inspect the commit.`,
    );
  }
  return segments;
}

/** The absolute target of one exported file, refused unless it lies below `root`. */
function insideFolder(root: string, segments: string[], file: string, ref: string): string {
  const target = path.resolve(root, ...segments);
  const relative = path.relative(root, target);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new UserError(
      `--ref ${ref} holds the path "${file}", which lies outside the export folder; nothing was released — inspect the commit.`,
    );
  }
  return target;
}

/** The lint config's `notForRelease` prefixes (relative to the repository root), if there are any. */
async function notForRelease(processesDir: string): Promise<string[]> {
  const file = path.join(processesDir, ".bpmnlintrc");
  if (!existsSync(file)) return [];
  try {
    const json = JSON.parse(await readFile(file, "utf8")) as {
      "camunda-gitops"?: { notForRelease?: unknown };
    };
    const list = json["camunda-gitops"]?.notForRelease;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === "string") : [];
  } catch {
    // An unreadable config is reported by the linter, which runs before any deployment.
    return [];
  }
}

/** Top-level folders below processes/ that never hold released models, whatever the lint config says. */
function isReleased(file: string, processesPath: string, excluded: readonly string[]): boolean {
  const top = file.slice(processesPath.length + 1).split("/")[0] ?? "";
  if (NEVER_RELEASED.has(top)) return false;
  return !excluded.some((prefix) => file.startsWith(prefix));
}

/**
 * The released files: the linter's discovery (filesUnder) minus examples, tests and the lint
 * config's notForRelease prefixes. The release's lint gate lints exactly this list.
 */
async function readResources(processesDir: string, processesPath: string): Promise<Resource[]> {
  const excluded = await notForRelease(processesDir);
  const resources: Resource[] = [];
  for (const absolute of await filesUnder(processesDir, (name) => resourceKind(name) !== null)) {
    const name = path.relative(processesDir, absolute).split(path.sep).join("/");
    const file = `${processesPath}/${name}`;
    const kind = resourceKind(name);
    if (kind === null || !isReleased(file, processesPath, excluded)) continue;
    const content = await readFile(absolute);
    resources.push({
      name,
      file,
      absolute,
      kind,
      content,
      text: content.toString("utf8"),
      sha256: createHash("sha256").update(content).digest("hex"),
    });
  }
  return resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
