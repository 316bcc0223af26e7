import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "#core/util/errors.js";
import type { FileKind } from "./types.js";

export function kindOf(file: string): FileKind | null {
  const name = file.toLowerCase();
  if (name.endsWith(".bpmn") || name.endsWith(".bpmn20.xml")) return "bpmn";
  if (name.endsWith(".dmn") || name.endsWith(".dmn11.xml")) return "dmn";
  return null;
}

const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", "dist"]);

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
    if (info.isDirectory()) await walk(absolute, found);
    else if (info.isFile()) {
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

async function walk(directory: string, found: Set<string>): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith(".") || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) await walk(full, found);
    else if (entry.isFile() && kindOf(entry.name) !== null) found.add(full);
  }
}
