/**
 * What a release deploys: the BPMN/DMN files and Camunda Forms of `processes/`, read either from the working tree or
 * from a git ref (a rollback). A ref is exported into a temporary folder with the same layout, so the
 * linter, the plan and the smoke examples read the ref's files exactly as they read the working tree.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  currentBranch,
  hasLocalChanges,
  headCommit,
  listFiles,
  readBlob,
  resolveCommit,
} from "#core/git/repository.js";
import { UsageError } from "#core/util/errors.js";

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
}

/** Folders below processes/ that never hold released models, whatever the lint config says. */
const NEVER_RELEASED = new Set(["examples", "tests", "node_modules"]);

export function resourceKind(file: string): ResourceKind | null {
  const name = file.toLowerCase();
  // The suffixes the engine's BPMN and DMN deployers recognise.
  if (name.endsWith(".bpmn") || name.endsWith(".bpmn20.xml")) return "bpmn";
  if (name.endsWith(".dmn") || name.endsWith(".dmn11.xml")) return "dmn";
  // Camunda Forms: the engine's form deployer takes every resource ending in .form.
  if (name.endsWith(".form")) return "form";
  return null;
}

export async function openSource(options: SourceOptions): Promise<ReleaseSource> {
  const repoRoot = path.resolve(options.repoRoot);
  const processesPath = (options.processesPath ?? "processes").replace(/\\/g, "/").replace(/\/+$/, "");
  if (options.ref !== undefined) return openRef(repoRoot, processesPath, options.ref);

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

async function openRef(repoRoot: string, processesPath: string, ref: string): Promise<ReleaseSource> {
  const commit = await resolveCommit(repoRoot, ref);
  const entries = await listFiles(repoRoot, commit, processesPath);
  if (entries.length === 0) {
    throw new UsageError(
      `${ref} (${commit.slice(0, 12)}) has no ${processesPath}/ folder; choose a ref that holds the models.`,
    );
  }
  const root = await mkdtemp(path.join(os.tmpdir(), "camunda-release-"));
  try {
    for (const entry of entries) {
      const target = path.join(root, ...entry.path.split("/"));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, await readBlob(repoRoot, entry.object));
    }
    const processesDir = path.join(root, processesPath);
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

async function readResources(processesDir: string, processesPath: string): Promise<Resource[]> {
  const excluded = await notForRelease(processesDir);
  const resources: Resource[] = [];
  const walk = async (dir: string, relative: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      const file = `${processesPath}/${name}`;
      if (entry.isDirectory()) {
        if (relative === "" && NEVER_RELEASED.has(entry.name)) continue;
        if (excluded.some((prefix) => `${file}/`.startsWith(prefix))) continue;
        await walk(path.join(dir, entry.name), name);
        continue;
      }
      const kind = resourceKind(entry.name);
      if (!entry.isFile() || kind === null) continue;
      if (excluded.some((prefix) => file.startsWith(prefix))) continue;
      const absolute = path.join(dir, entry.name);
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
  };
  await walk(processesDir, "");
  return resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
