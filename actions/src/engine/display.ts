import { relativeToRepo } from "#core/util/paths.js";

/** A path as messages show it: relative to the repository when inside it, absolute otherwise. */
export function displayPath(file: string): string {
  const relative = relativeToRepo(file);
  return relative.startsWith("..") ? file : relative;
}
