/**
 * A drift report for a terminal (text), for a GitHub issue or job summary (Markdown) and for tools
 * (JSON: the `drift --format json` contract).
 */
import type { DriftEntry, DriftReport, DriftState } from "./detect.js";

const STATE_LABEL: Record<DriftState, string> = {
  "in-sync": "in sync",
  modified: "modified",
  unmanaged: "unmanaged",
  missing: "missing",
  removed: "removed from git",
  retired: "retired",
};

/** "modified, foreign" — the state with the foreign flag, as the tables show it. */
export function stateLabel(entry: DriftEntry): string {
  return entry.foreign && entry.state !== "unmanaged"
    ? `${STATE_LABEL[entry.state]}, foreign`
    : STATE_LABEL[entry.state];
}

function where(report: DriftReport): string {
  return `${report.environment} (${report.restUrl}${report.tenantId ? `, tenant ${report.tenantId}` : ""})`;
}

function gitSide(report: DriftReport): string {
  const commit = report.commit ? report.commit.slice(0, 12) : "the working tree";
  return report.ref ? `${report.ref} @ ${commit}` : commit;
}

export function driftHeadline(report: DriftReport): string {
  const c = report.counts;
  if (report.inSync) {
    return `${where(report)} is in sync with ${gitSide(report)}: ${c["in-sync"]} definition(s) as in git${c.retired ? `, ${c.retired} retired` : ""}.`;
  }
  const parts = (
    [
      ["modified", c.modified],
      ["unmanaged", c.unmanaged],
      ["missing", c.missing],
      ["removed from git", report.entries.filter((e) => e.state === "removed" && e.drift).length],
      ["deployed outside the releases", c.foreign],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`);
  return `${where(report)} drifts from ${gitSide(report)}: ${parts.join(", ")}.`;
}

function deployedCell(entry: DriftEntry): string {
  const d = entry.deployed;
  if (!d) return "–";
  return `v${d.version}${d.suspended ? " (suspended)" : ""}`;
}

function originCell(entry: DriftEntry): string {
  const d = entry.deployed;
  if (!d) return "–";
  if (d.release) {
    const commit = d.release.commit ? d.release.commit.slice(0, 12) : "?";
    return `release ${commit}${d.release.run ? ` (run ${d.release.run.id})` : ""}`;
  }
  return `"${d.deploymentName ?? ""}" / ${d.deploymentSource ?? "no source"}`;
}

export function formatDriftText(report: DriftReport): string {
  const lines = [driftHeadline(report), ""];
  for (const entry of report.entries) {
    const mark = entry.drift ? "!" : " ";
    lines.push(`${mark} ${entry.key.padEnd(28)} ${stateLabel(entry).padEnd(20)} ${entry.note}`);
    for (const change of entry.changes.slice(0, 20)) lines.push(`      ~ ${change.message}`);
    if (entry.changes.length > 20) lines.push(`      … and ${entry.changes.length - 20} more`);
  }
  if (!report.inSync) {
    lines.push(
      "",
      "! = drift. Changes read git → engine. `camunda-gitops plan --env " +
        `${report.environment}\` shows what a release would do.`,
    );
  }
  return lines.join("\n");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function formatDriftMarkdown(report: DriftReport): string {
  const lines = [`### Process drift: ${report.environment}`, "", driftHeadline(report), ""];
  const drifting = report.entries.filter((e) => e.drift);
  const rest = report.entries.filter((e) => !e.drift);
  if (drifting.length > 0) {
    lines.push(
      "| key | type | state | file | deployed | from | what to know |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const e of drifting) {
      lines.push(
        `| \`${cell(e.key)}\` | ${e.type} | **${stateLabel(e)}** | ${e.file ? `\`${cell(e.file)}\`` : "–"} | ${deployedCell(e)} | ${cell(originCell(e))} | ${cell(e.note)} |`,
      );
    }
    for (const e of drifting.filter((x) => x.changes.length > 0)) {
      lines.push(
        "",
        `<details><summary><code>${e.key}</code>: ${e.changes.length} behaviour change(s), git → engine</summary>`,
        "",
      );
      for (const change of e.changes.slice(0, 50)) lines.push(`- ${cell(change.message)}`);
      if (e.changes.length > 50) lines.push(`- … and ${e.changes.length - 50} more`);
      lines.push("", "</details>");
    }
  }
  if (rest.length > 0) {
    lines.push(
      "",
      `<details><summary>${rest.length} definition(s) without drift</summary>`,
      "",
      "| key | type | state | deployed | from |",
      "| --- | --- | --- | --- | --- |",
      ...rest.map(
        (e) =>
          `| \`${cell(e.key)}\` | ${e.type} | ${stateLabel(e)} | ${deployedCell(e)} | ${cell(originCell(e))} |`,
      ),
      "",
      "</details>",
    );
  }
  lines.push("", `Checked ${report.checkedAt} against ${gitSide(report)}.`, "");
  return lines.join("\n");
}

/** The JSON contract of `drift --format json`. */
export function driftJson(report: DriftReport) {
  return {
    environment: report.environment,
    tenantId: report.tenantId,
    commit: report.commit,
    ref: report.ref,
    checkedAt: report.checkedAt,
    inSync: report.inSync,
    counts: report.counts,
    definitions: report.entries.map((e) => ({
      key: e.key,
      type: e.type,
      state: e.state,
      foreign: e.foreign,
      drift: e.drift,
      file: e.file,
      deployed: e.deployed,
      note: e.note,
      changes: e.changes.map((c) => ({
        elementId: c.elementId,
        type: c.type,
        property: c.property,
        before: c.before,
        after: c.after,
        migrationRelevant: c.migrationRelevant,
        message: c.message,
      })),
    })),
  };
}
