/**
 * `diff --format text` (the default): one line per change for a terminal, migration-relevant ones
 * marked with "!", layout-only changes summarised in one line per file.
 */
import type { Change, DiffReport } from "../types.js";
import { orderedFiles, plural, sections, shortSha, totals } from "./order.js";

export interface TextOptions {
  colour?: boolean;
  /** List every layout change instead of one summary line per file. */
  verbose?: boolean;
}

const SYMBOLS: Record<Change["type"], string> = { added: "+", removed: "-", changed: "~", layout: "·" };

export function formatText(report: DiffReport, options: TextOptions = {}): string {
  const paint = (code: string, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const t = totals(report);
  lines.push(
    `Comparing ${shortSha(report.base)} → ${shortSha(report.head)}: ${plural(t.files, "model file")} changed` +
      (t.files === 0
        ? "."
        : `, ${plural(t.changes, "behaviour change")}, ${t.migrationRelevant} migration-relevant.`),
  );
  for (const file of orderedFiles(report)) {
    const s = sections(file);
    const renamed = file.previousFile ? ` (renamed from ${file.previousFile})` : "";
    const note = file.problem ? "cannot be compared" : file.layoutOnly ? "layout only" : file.status;
    lines.push("", paint("1", `${file.file}${renamed}`) + paint("2", ` — ${note}`));
    if (file.problem) {
      lines.push(`  ${paint("31", "x")} ${file.problem}`);
      continue;
    }
    for (const change of [...s.migration, ...s.semantic]) {
      const symbol = change.migrationRelevant ? paint("31;1", "!") : SYMBOLS[change.type];
      lines.push(`  ${symbol} ${change.message}`);
    }
    if (s.layout.length === 0) continue;
    if (options.verbose) {
      for (const change of s.layout) lines.push(paint("2", `  ${SYMBOLS.layout} ${change.message}`));
    } else {
      const ids = [...new Set(s.layout.map((c) => c.elementId))];
      const shown = ids.slice(0, 6).join(", ") + (ids.length > 6 ? `, and ${ids.length - 6} more` : "");
      lines.push(paint("2", `  ${SYMBOLS.layout} layout or metadata only: ${shown} (--verbose lists them)`));
    }
  }
  if (t.migrationRelevant > 0) {
    lines.push(
      "",
      `${paint("31;1", "!")} = migration-relevant: running instances of these processes need a migration plan (or stay on the old version).`,
    );
  }
  return `${lines.join("\n")}\n`;
}
