/**
 * Paths as the project uses them. The project root is always given by the caller — the CLI's entry
 * point, a GitHub Action's workspace, the test runner — and never worked out from where a module
 * sits: bundled into an action, a module's own location says nothing about the checkout it serves.
 */
import path from "node:path";

/** Git-ignored folder for everything local runs create: engine data, pid files, credentials, logs. */
export function localDir(root: string): string {
  return path.join(root, ".local");
}

/** `file` relative to `root` with forward slashes, as reports, annotations and SARIF name files. */
export function relativePath(root: string, file: string): string {
  return path.relative(root, path.resolve(file)).split(path.sep).join("/");
}

/**
 * A path as a message shows it: relative to `base` (the working directory, where the user typed the
 * command) when it lies below it, absolute otherwise — never a chain of "../".
 */
export function displayPath(file: string, base: string = process.cwd()): string {
  const relative = relativePath(base, file);
  return relative === ""
    ? "."
    : relative.startsWith("../") || relative === ".."
      ? path.resolve(file)
      : relative;
}
