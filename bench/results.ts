import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { repoPath } from "../test/support/repo.js";

/** Replaces the `## <heading>` section of bench/RESULTS.md (or appends it), leaving every other section as it is. */
export function writeResultsSection(heading: string, section: string): void {
  const file = repoPath("bench/RESULTS.md");
  const existing = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const marker = `\n## ${heading}\n`;
  const start = existing.indexOf(marker);
  let next = start === -1 ? -1 : existing.indexOf("\n## ", start + 1);
  if (next === -1) next = existing.length;
  const body = section.endsWith("\n") ? section : `${section}\n`;
  const updated =
    start === -1
      ? `${existing.trimEnd()}\n\n${body}`
      : `${existing.slice(0, start + 1)}${body}${next < existing.length ? `\n${existing.slice(next + 1)}` : ""}`;
  writeFileSync(file, updated.endsWith("\n") ? updated : `${updated}\n`);
}
