import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "#core/util/errors.js";
import type { FileKind } from "./types.js";

/** The suffixes the engine's BPMN and DMN deployers recognise. */
export function kindOf(file: string): FileKind | null {
  const name = file.toLowerCase();
  if (name.endsWith(".bpmn") || name.endsWith(".bpmn20.xml")) return "bpmn";
  if (name.endsWith(".dmn") || name.endsWith(".dmn11.xml")) return "dmn";
  return null;
}

/**
 * Folders that never hold the project's models, at any depth: installed packages. Everything else
 * counts, `dist/` and other build output included — what sits below processes/ is released, so it is
 * linted too.
 */
const SKIPPED_DIRECTORIES = new Set(["node_modules"]);

/** A Camunda Form (form-js JSON): every resource ending in .form goes to the engine's form deployer. */
export function isForm(file: string): boolean {
  return file.toLowerCase().endsWith(".form");
}

/**
 * Every file below `directory` whose name `accept`s, absolute and sorted: the one answer to "which
 * files are there" that the linter (models, forms) and the release both use, so the set linted and the
 * set released cannot drift apart. Hidden entries (`.git`, `.bpmnlintrc`, `.hidden/`), `node_modules/`
 * and symbolic links are left out (a link's target is not part of the repository's reviewed files).
 */
export async function filesUnder(directory: string, accept: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  await walk(path.resolve(directory), accept, found);
  return found.sort();
}

/** Every .bpmn/.dmn file below `directory` (see filesUnder). */
export function modelFilesUnder(directory: string): Promise<string[]> {
  return filesUnder(directory, (name) => kindOf(name) !== null);
}

/**
 * Expands files and directories into the sorted list of .bpmn/.dmn files under them. A path that
 * does not exist is a usage error when `required`, and silently skipped otherwise (index paths).
 */
export async function discoverFiles(paths: readonly string[], required: boolean): Promise<string[]> {
  const found = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(given);
    const info = await stat(absolute).catch(() => null);
    if (!info) {
      if (required)
        throw new UsageError(
          `lint: ${given} does not exist; pass a .bpmn/.dmn file or a folder that holds them.`,
        );
      continue;
    }
    if (info.isDirectory()) for (const file of await modelFilesUnder(absolute)) found.add(file);
    else if (info.isFile()) {
      // A form among the given files is the forms' discovery's (forms.ts), not a model.
      if (isForm(absolute)) continue;
      if (required && kindOf(absolute) === null) {
        throw new UsageError(
          `lint: ${given} is neither a .bpmn nor a .dmn file; pass model files or a folder.`,
        );
      }
      found.add(absolute);
    }
  }
  return [...found].sort();
}

async function walk(directory: string, accept: (name: string) => boolean, found: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith(".") || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) await walk(full, accept, found);
    else if (entry.isFile() && accept(entry.name)) found.push(full);
  }
}
