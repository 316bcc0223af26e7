/**
 * The result of a plan or a release as a console table, as Markdown for the GitHub job summary, and
 * as JSON for action outputs and `--format json`.
 */

import { describeChange, identityHeadline, identityPlanLines, isRevocation } from "#core/identities/index.js";
import {
  migrationOutcomeLines,
  migrationPlanJson,
  migrationPlanLines,
  removalOutcomeLines,
  removalPlanLines,
} from "#core/migration/report.js";
import type { Plan } from "./plan.js";
import type { ReleaseResult, ReleaseRow } from "./release.js";

const dash = "–";

function version(v: number | null): string {
  return v === null ? dash : String(v);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function markdownTable(headers: string[], rows: string[][]): string {
  const cellText = (cell: string) => cell.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cellText).join(" | ")} |`),
  ].join("\n");
}

function origin(plan: Plan): string {
  const commit = plan.commit ? plan.commit.slice(0, 12) : "no git commit";
  const ref = plan.ref ? `${plan.ref} @ ${commit}` : commit;
  return `${ref}${plan.dirty ? " with uncommitted changes" : ""}`;
}

function target(plan: Plan): string {
  const t = plan.target;
  return `${t.environment} (${t.restUrl}${t.tenantId ? `, tenant ${t.tenantId}` : ""})`;
}

function planCells(row: ReleaseRow): string[] {
  return [row.key, row.file, version(row.previousVersion), row.change, row.summary ?? ""];
}

function releaseCells(row: ReleaseRow): string[] {
  return [
    row.key,
    version(row.previousVersion),
    version(row.newVersion),
    row.definitionId ?? dash,
    row.status,
  ];
}

const PLAN_HEADERS = ["key", "file", "deployed version", "plan", "what changed"];
const RELEASE_HEADERS = ["key", "previous", "new", "definition id", "status"];

function planHeadline(plan: Plan): string {
  const { new: added, changed, unchanged } = plan.counts;
  return `Plan for ${target(plan)} from ${origin(plan)}: ${added} new, ${changed} changed, ${unchanged} unchanged file(s).`;
}

function releaseHeadline(result: ReleaseResult): string {
  if (result.dryRun) return `Dry run: nothing was deployed. ${planHeadline(result.plan)}`;
  const deployment = result.deployment;
  const where = `${target(result.plan)} from ${origin(result.plan)}`;
  if (result.newVersions === 0)
    return `Released ${where}: no new versions; the engine already has every file.`;
  return `Released ${where}: ${result.newVersions} new version(s) in deployment ${deployment?.id ?? "?"}.`;
}

function ignoredLines(plan: Plan): string[] {
  return plan.ignored.map((i) => `not deployed: ${i.file} ${i.reason}`);
}

/** Removed models and running instances: what the plan decided (lifecycle-step.ts). */
function lifecycleLines(plan: Plan): string[] {
  return [...removalPlanLines(plan.removals), ...migrationPlanLines(plan.migration)];
}

/** What the release did with them. */
function lifecycleOutcomeLines(result: ReleaseResult): string[] {
  return [...removalOutcomeLines(result.removals), ...migrationOutcomeLines(result.migrations)];
}

function smokeLines(result: ReleaseResult): string[] {
  const lines = result.smoke.map(
    (s) => `smoke ${s.status}: ${s.key}${s.example ? ` with ${s.example}` : ""} — ${s.detail}`,
  );
  const probe = result.engineProbe;
  if (probe) {
    const ok = probe.checks.filter((c) => c.status === "ok").length;
    lines.push(
      `engine probe (read-only): ${ok} checks as in production, ${probe.differences} different` +
        probe.checks
          .filter((c) => c.status === "differs")
          .map((c) => `; ${c.title}: ${c.observed} (production: ${c.expected})`)
          .join(""),
    );
  }
  return lines;
}

/** The identity section beside the processes: the plan's lines, or what a release changed. */
function identityLines(plan: Plan, applied?: ReleaseResult["identitiesApplied"]): string[] {
  const identities = plan.identities;
  if (!identities) return [];
  if (applied === undefined)
    return [identityHeadline(identities), ...identityPlanLines(identities).map((l) => `  ${l}`)];
  if (applied.length === 0) return [`Identities of ${identities.environment}: as declared, nothing changed.`];
  return [
    `Identities of ${identities.environment}: ${applied.length} change(s) made.`,
    ...applied.map((c) => `  ${isRevocation(c) ? "-" : "+"} ${describeChange(c)}`),
  ];
}

function withSection(lines: string[]): string[] {
  return lines.length > 0 ? ["", ...lines] : [];
}

export function formatPlanText(plan: Plan, rows: ReleaseRow[]): string {
  return [
    planHeadline(plan),
    "",
    table(PLAN_HEADERS, rows.map(planCells)),
    ...ignoredLines(plan),
    ...lifecycleLines(plan),
    ...withSection(identityLines(plan)),
  ].join("\n");
}

export function formatReleaseText(result: ReleaseResult): string {
  const lines = [releaseHeadline(result), ""];
  if (result.dryRun) lines.push(table(PLAN_HEADERS, result.rows.map(planCells)));
  else lines.push(table(RELEASE_HEADERS, result.rows.map(releaseCells)));
  lines.push(...ignoredLines(result.plan));
  lines.push(...(result.dryRun ? lifecycleLines(result.plan) : lifecycleOutcomeLines(result)));
  lines.push(...smokeLines(result));
  lines.push(
    ...withSection(identityLines(result.plan, result.dryRun ? undefined : result.identitiesApplied)),
  );
  return lines.join("\n");
}

export function formatReleaseMarkdown(result: ReleaseResult): string {
  const body = result.dryRun
    ? markdownTable(PLAN_HEADERS, result.rows.map(planCells))
    : markdownTable(RELEASE_HEADERS, result.rows.map(releaseCells));
  return [
    `### Process release: ${result.environment}`,
    "",
    releaseHeadline(result),
    "",
    body,
    ...[
      ...ignoredLines(result.plan),
      ...(result.dryRun ? lifecycleLines(result.plan) : lifecycleOutcomeLines(result)),
      ...smokeLines(result),
    ].map((l) => `\n- ${l}`),
    ...identityMarkdown(identityLines(result.plan, result.dryRun ? undefined : result.identitiesApplied)),
    "",
  ].join("\n");
}

/** The identity section as a headline and a code block (the +/- lines read like a diff). */
function identityMarkdown(lines: string[]): string[] {
  if (lines.length === 0) return [];
  const [headline, ...rest] = lines;
  return [
    "",
    `#### ${headline}`,
    ...(rest.length ? ["", "```diff", ...rest.map((l) => l.trimStart()), "```"] : []),
  ];
}

function identityJson(plan: Plan) {
  const identities = plan.identities;
  if (!identities) return null;
  return {
    changes: identities.changes.map((c) => ({
      kind: c.kind,
      revocation: isRevocation(c),
      text: describeChange(c),
    })),
    unchanged: identities.unchanged,
    passwordsNotChecked: identities.passwordsNotChecked,
    confirmRevocations: identities.confirmRevocations,
    digest: identities.digest,
  };
}

/** The JSON contract of `--format json` and the action's `result` output. */
export function releaseJson(result: ReleaseResult) {
  return {
    environment: result.environment,
    dryRun: result.dryRun,
    commit: result.plan.commit,
    ref: result.plan.ref,
    planDigest: result.plan.digest,
    deployment: result.deployment,
    newVersions: result.newVersions,
    definitions: result.rows.map((r) => ({
      key: r.key,
      type: r.type,
      file: r.file,
      previousVersion: r.previousVersion,
      newVersion: r.newVersion,
      definitionId: r.definitionId,
      status: r.status,
      change: r.change,
      summary: r.summary,
    })),
    ignored: result.plan.ignored,
    removed: result.plan.removals,
    migration: migrationPlanJson(result.plan.migration),
    suspended: result.removals,
    migrations: result.migrations,
    smoke: result.smoke,
    engineProbe: result.engineProbe,
    lint: result.lint,
    identities: identityJson(result.plan),
    identitiesApplied: result.identitiesApplied.map((c) => ({ kind: c.kind, text: describeChange(c) })),
  };
}

export function planJson(plan: Plan, rows: ReleaseRow[]) {
  return {
    environment: plan.target.environment,
    commit: plan.commit,
    ref: plan.ref,
    planDigest: plan.digest,
    counts: plan.counts,
    definitions: rows.map((r) => ({
      key: r.key,
      type: r.type,
      file: r.file,
      deployedVersion: r.previousVersion,
      deployedDefinitionId: r.definitionId,
      change: r.change,
      summary: r.summary,
    })),
    ignored: plan.ignored,
    removed: plan.removals,
    migration: migrationPlanJson(plan.migration),
    identities: identityJson(plan),
  };
}
