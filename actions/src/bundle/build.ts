import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { UserError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";
import { type AppspecHook, type BundleEntryInfo, validateAppspec } from "./appspec.js";
import { locateJmxAgent } from "./jmx-agent.js";
import { compareBytes, writeDeterministicZip, type ZipEntry } from "./zip.js";

/**
 * Which repository paths go into the CodeDeploy bundle and where. CodeDeploy wants appspec.yml at the
 * bundle root; the lifecycle scripts and the production compose file sit beside it. The workers do
 * not ship as files: CI builds their image once and pushes it to ECR, and the bundle carries only the
 * image's digest (workers/image-digest, see BuildOptions.workersImageDigest), so hosts pull exactly
 * that image and never build one.
 */
export interface BundleSource {
  /** Repository-relative file, or folder ending in "/". */
  from: string;
  /** Archive path (file) or prefix (folder, ending in "/"). */
  to: string;
}

/**
 * Stands in a layout for the JMX exporter agent jar the engine manifest names: not a file of the
 * repository, but a verified copy from the engine build, the Maven repository or Maven Central.
 */
export const jmxAgentSource = "<jmx exporter agent, engine/run-7.23.0.yaml>";

export const defaultLayout: readonly BundleSource[] = [
  { from: "deploy/appspec.yml", to: "appspec.yml" },
  { from: "deploy/docker-compose.yml", to: "docker-compose.yml" },
  { from: "deploy/scripts/", to: "scripts/" },
  // The engine's JVM metrics: the agent and its configuration, mounted into the Run container.
  { from: "engine/jmx-exporter.yaml", to: "jmx-exporter.yaml" },
  { from: jmxAgentSource, to: "agents/" },
];

/** Where the bundle holds the workers image's digest (read by deploy/scripts/install.sh). */
export const workersImageDigestPath = "workers/image-digest";
const imageDigest = /^sha256:[0-9a-f]{64}$/;

/** Never shipped from a folder: tests, local state, dependencies, build output. */
const excluded = [
  /(^|\/)node_modules\//,
  /(^|\/)test\//,
  /\.test\.ts$/,
  /(^|\/)\.local\//,
  /(^|\/)dist\//,
  /(^|\/)\.DS_Store$/,
];

export interface BundleEntry {
  path: string;
  source: string;
  mode: number;
  size: number;
}

export interface BuiltBundle {
  file: string;
  sha256: string;
  size: number;
  entries: BundleEntry[];
  hooks: AppspecHook[];
}

export interface BuildOptions {
  /** Where the zip goes. */
  out: string;
  /** Repository root to read from (tests point it at a fixture tree). */
  root: string;
  layout?: readonly BundleSource[];
  /** Digest (sha256:…) of the workers image CI pushed to ECR; the hosts run exactly that image. */
  workersImageDigest?: string;
}

/** Collects the entries, validates appspec.yml against them, then writes the deterministic zip. */
export async function buildBundle(options: BuildOptions): Promise<BuiltBundle> {
  const root = path.resolve(options.root);
  const layout = options.layout ?? defaultLayout;
  const entries = await collectEntries(
    root,
    layout.filter((source) => source.from !== jmxAgentSource),
  );
  const agentTarget = layout.find((source) => source.from === jmxAgentSource);
  if (agentTarget) {
    const { file, agent } = await locateJmxAgent(root);
    entries.push({
      path: `${agentTarget.to}${agent.fileName}`,
      source: file,
      mode: 0o644,
      size: statSync(file).size,
    });
    entries.sort((a, b) => compareBytes(a.path, b.path));
  }
  if (options.workersImageDigest !== undefined) {
    if (!imageDigest.test(options.workersImageDigest)) {
      throw new UserError(
        `the workers image digest must look like sha256:<64 hex digits>, got "${options.workersImageDigest}"; pass the digest the image push reported.`,
        { exitCode: 2 },
      );
    }
    // A generated entry: written beside the zip, so the work tree stays untouched.
    const source = `${path.resolve(options.out)}.workers-image-digest`;
    await mkdir(path.dirname(source), { recursive: true });
    writeFileSync(source, `${options.workersImageDigest}\n`);
    entries.push({ path: workersImageDigestPath, source, mode: 0o644, size: statSync(source).size });
    entries.sort((a, b) => compareBytes(a.path, b.path));
  }
  const appspec = entries.find((e) => e.path === "appspec.yml");
  if (!appspec) {
    throw new UserError(
      `the bundle has no appspec.yml: ${shown(root, "deploy/appspec.yml")} is missing; restore it.`,
    );
  }
  const byPath = new Map<string, BundleEntryInfo>(entries.map((e) => [e.path, { mode: e.mode }]));
  const result = validateAppspec(readFileSync(appspec.source, "utf8"), byPath);
  if (result.problems.length > 0) {
    const where = shown(root, path.relative(root, appspec.source));
    throw new UserError(
      `${where} is not a valid CodeDeploy appspec (${result.problems.length} problem(s)); fix them before packaging.`,
      { details: result.problems.map((p) => `${where}${p.line ? `:${p.line}` : ""}: ${p.message}`) },
    );
  }
  await mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
  const zipEntries: ZipEntry[] = entries.map(({ path: p, source, mode }) => ({ path: p, source, mode }));
  const zip = await writeDeterministicZip(zipEntries, path.resolve(options.out));
  return { ...zip, entries, hooks: result.hooks };
}

export async function collectEntries(root: string, layout: readonly BundleSource[]): Promise<BundleEntry[]> {
  const tracked = gitFiles(root);
  const entries: BundleEntry[] = [];
  for (const source of layout) {
    const files = source.from.endsWith("/")
      ? tracked
        ? tracked.filter((f) => f.startsWith(source.from))
        : await walk(root, source.from)
      : [source.from];
    for (const file of files) {
      if (source.from.endsWith("/") && excluded.some((pattern) => pattern.test(file))) continue;
      const absolute = path.join(root, file);
      if (!existsSync(absolute)) {
        if (source.from.endsWith("/")) continue; // deleted in the work tree but still in the index
        throw new UserError(`the bundle needs ${shown(root, file)}, which is missing; restore it.`);
      }
      const stat = statSync(absolute);
      if (!stat.isFile()) continue;
      const archivePath = source.from.endsWith("/") ? source.to + file.slice(source.from.length) : source.to;
      // Only "executable or not" survives: umask and checkout differences must not change the bytes.
      entries.push({
        path: archivePath,
        source: absolute,
        mode: stat.mode & 0o111 ? 0o755 : 0o644,
        size: stat.size,
      });
    }
  }
  entries.sort((a, b) => compareBytes(a.path, b.path));
  return entries;
}

/**
 * Files git knows about (tracked, plus untracked but not ignored), so ignored build output and
 * secrets in .gitignore'd files can never slip into a bundle. Undefined outside a git work tree.
 */
function gitFiles(root: string): string[] | undefined {
  try {
    const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
    const top = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: root, encoding: "utf8" }).trim();
    if (path.resolve(top) !== root) return undefined;
    return [...new Set(out.split("\0").filter(Boolean))];
  } catch {
    return undefined;
  }
}

async function walk(root: string, dir: string): Promise<string[]> {
  const absolute = path.join(root, dir);
  if (!existsSync(absolute)) return [];
  const found: string[] = [];
  for (const dirent of await readdir(absolute, { withFileTypes: true })) {
    const relative = `${dir}${dirent.name}`;
    if (dirent.isDirectory()) found.push(...(await walk(root, `${relative}/`)));
    else if (dirent.isFile()) found.push(relative);
  }
  return found;
}

function shown(root: string, file: string): string {
  return displayPath(path.join(root, file));
}
