/**
 * The pull request comment and job summary: per file a change table (migration-relevant rows first and
 * in bold, then the other behaviour changes), layout-only changes folded away, and a length budget
 * under GitHub's 65,536-character comment limit with an explicit "and N more" line.
 */
import type { Change, DiffReport } from "../types.js";
import { elementText, orderedFiles, plural, sections, shortSha, totals } from "./order.js";

export interface MarkdownOptions {
  /** Hidden first line that lets the comment be found and updated in place. */
  marker?: string;
  /** Where the HTML report and the pictures are (a workflow run's artifacts). */
  reportUrl?: string | null;
  /** Upper bound of the whole text; GitHub refuses comments over 65,536 characters. */
  maxLength?: number;
  /** A line under the title, e.g. which environment the running-instance counts come from. */
  note?: string | null;
}

export const COMMENT_MARKER = "<!-- camunda-gitops:process-review -->";
const DEFAULT_MAX = 60_000;

/** Text safe inside a table cell: no pipes, no line breaks, no HTML, at most `max` characters. */
function cell(text: string | null, max = 80): string {
  if (text === null || text === "") return "–";
  let value = text.replace(/\s+/g, " ").trim();
  if (value.length > max) value = `${value.slice(0, max - 1)}…`;
  return `\`${value.replace(/`/g, "ʼ").replace(/\|/g, "\\|")}\``;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

const TYPE_WORDS: Record<Change["type"], string> = {
  added: "added",
  removed: "removed",
  changed: "changed",
  layout: "layout",
};

function row(change: Change, withRunning: boolean): string {
  const bold = (s: string) => (change.migrationRelevant ? `**${s}**` : s);
  const what = change.migrationRelevant ? `⚠️ ${bold(TYPE_WORDS[change.type])}` : TYPE_WORDS[change.type];
  const cells = [
    what,
    bold(escapeMarkdown(elementText(change))),
    change.property ? cell(change.property, 60) : "–",
    cell(change.before),
    cell(change.after),
  ];
  if (withRunning)
    cells.push(change.runningInstances === undefined ? "" : bold(String(change.runningInstances)));
  return `| ${cells.join(" | ")} |`;
}

/** Appends blocks while they fit, keeping room for the closing lines; counts what was left out. */
class Budget {
  readonly parts: string[] = [];
  length = 0;
  omitted = 0;
  constructor(private readonly max: number) {}
  add(text: string): boolean {
    if (this.length + text.length + 1 > this.max) return false;
    this.parts.push(text);
    this.length += text.length + 1;
    return true;
  }
}

export function formatMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const max = options.maxLength ?? DEFAULT_MAX;
  const t = totals(report);
  const withRunning = report.files.some((f) => f.changes.some((c) => c.runningInstances !== undefined));
  const header: string[] = [];
  if (options.marker !== undefined) header.push(options.marker);
  header.push("### Process changes", "");
  const summary =
    t.files === 0
      ? "No BPMN or DMN file changed."
      : [
          `${plural(t.files, "model file")} changed (\`${shortSha(report.base)}\` → \`${shortSha(report.head)}\`)`,
          `${plural(t.changes, "behaviour change")}`,
          t.migrationRelevant > 0
            ? `**${plural(t.migrationRelevant, "migration-relevant change")}**`
            : "no migration-relevant change",
          ...(t.layoutOnlyFiles > 0 ? [`${plural(t.layoutOnlyFiles, "file")} with layout changes only`] : []),
          ...(t.unreadable > 0 ? [`**${plural(t.unreadable, "file")} could not be compared**`] : []),
        ].join(" · ");
  header.push(summary);
  if (options.note) header.push("", options.note);
  if (options.reportUrl) {
    header.push(
      "",
      `Diagrams before and after, decision tables and every change: HTML report in [this run's artifacts](${options.reportUrl}).`,
    );
  }
  const footerReserve = 400;
  const budget = new Budget(max - footerReserve);
  budget.add(header.join("\n"));

  const tableHead = `| Change | Element | Property | Before | After |${withRunning ? " Running |" : ""}\n|---|---|---|---|---|${withRunning ? "---|" : ""}`;
  const layoutOnlyFiles: string[] = [];
  for (const file of orderedFiles(report)) {
    const s = sections(file);
    if (file.layoutOnly) {
      layoutOnlyFiles.push(`- \`${file.file}\`: ${plural(s.layout.length, "layout or metadata change")}`);
      continue;
    }
    const renamed = file.previousFile ? ` (renamed from \`${file.previousFile}\`)` : "";
    if (!budget.add(`\n#### \`${file.file}\` — ${file.status}${renamed}\n`)) {
      budget.omitted += file.changes.length || 1;
      continue;
    }
    if (file.problem) {
      budget.add(`:x: ${escapeMarkdown(file.problem)}`);
      continue;
    }
    for (const table of file.tables ?? []) {
      // Under FIRST (or RULE ORDER) a moved rule changes which rule applies: say so above the table.
      if (!table.orderMatters || !table.rows.some((r) => r.status === "moved")) continue;
      const policy = table.hitPolicy.after ?? table.hitPolicy.before ?? "";
      budget.add(
        `> Hit policy **${policy}** in decision ${escapeMarkdown(table.decisionId)}: the first matching rule wins, so the order of the rules is business logic.\n`,
      );
    }
    const rows = [...s.migration, ...s.semantic];
    if (rows.length > 0) {
      budget.add(tableHead);
      for (const change of rows) if (!budget.add(row(change, withRunning))) budget.omitted++;
    }
    if (s.layout.length > 0) {
      const details = [
        "",
        `<details><summary>${plural(s.layout.length, "layout or metadata change")} (no change in behaviour)</summary>`,
        "",
        "| Element | Property | Before | After |",
        "|---|---|---|---|",
        ...s.layout.map(
          (c) =>
            `| ${escapeMarkdown(elementText(c))} | ${cell(c.property, 60)} | ${cell(c.before)} | ${cell(c.after)} |`,
        ),
        "",
        "</details>",
      ].join("\n");
      if (!budget.add(details)) budget.omitted += s.layout.length;
    }
  }
  if (layoutOnlyFiles.length > 0) {
    const block = [
      "",
      `<details><summary>${plural(layoutOnlyFiles.length, "file")} with layout or modeler metadata changes only</summary>`,
      "",
      ...layoutOnlyFiles,
      "",
      "</details>",
    ].join("\n");
    if (!budget.add(block)) budget.omitted += layoutOnlyFiles.length;
  }
  const footer: string[] = [];
  if (budget.omitted > 0) {
    footer.push(
      "",
      `… and ${plural(budget.omitted, "more change")} not shown here (GitHub limits a comment's length); the HTML report lists them all.`,
    );
  }
  if (t.migrationRelevant > 0) {
    footer.push(
      "",
      "⚠️ **Migration-relevant**: instances running on the current version wait in or depend on these elements; plan a migration (or let them finish on the old version) before releasing.",
    );
  }
  return `${[...budget.parts, ...footer].join("\n")}\n`;
}
