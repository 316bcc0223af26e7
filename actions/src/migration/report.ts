/**
 * The migration and removal parts of a plan and a release, as lines (console and Markdown lists) and
 * as JSON. The release report (#core/release/report.ts) places them below its table.
 */
import type { RemovalOutcome, RemovedDefinition } from "#core/release/removal.js";
import type { MigrationOutcome } from "./execute.js";
import type { MigrationSection, MigrationSource, ProcessMigration } from "./plan.js";

function activityList(source: MigrationSource): string {
  return source.activities
    .map((a) => {
      const where = a.mappedTo === null ? "stays" : a.mappedTo === a.id ? "same id" : `→ ${a.mappedTo}`;
      const incidents = a.incidents ? `, ${a.incidents} incident(s)` : "";
      return `${a.id} ${a.instances}${incidents} (${where})`;
    })
    .join(", ");
}

function sourceLine(process: ProcessMigration, source: MigrationSource): string {
  const head = `${process.key} version ${source.version}${source.versionTag ? ` (${source.versionTag})` : ""}: ${source.instances} instance(s)`;
  const into = process.targetKey === process.key ? "the new version" : `${process.targetKey}`;
  const verdict =
    source.action === "migrate"
      ? `move to ${into}`
      : `stay on version ${source.version}: ${source.reasons.join("; ")}`;
  return `${head} ${verdict} — ${activityList(source)}`;
}

/** One line per older version with instances, then warnings; empty when nothing runs on older versions. */
export function migrationPlanLines(section: MigrationSection | null): string[] {
  if (!section || section.processes.length === 0) return [];
  const lines = [
    `running instances on older versions (migration policy ${section.policy}${section.enabled && section.policy === "never" ? ", --migrate" : ""}):`,
  ];
  for (const process of section.processes) {
    for (const source of process.sources) {
      lines.push(`  ${sourceLine(process, source)}`);
      for (const warning of source.warnings) lines.push(`    note: ${warning}`);
    }
    for (const error of process.declarationErrors) lines.push(`    error: ${error}`);
  }
  for (const blocking of section.blocking) lines.push(`  refused (policy required): ${blocking}`);
  return lines;
}

export function removalPlanLines(removals: RemovedDefinition[]): string[] {
  return removals.map(
    (r) =>
      `removed from git: ${r.type} ${r.key} version ${r.version}${r.release?.commit ? ` (released from ${r.release.commit.slice(0, 12)})` : ""}: ${r.reason}`,
  );
}

export function migrationOutcomeLines(outcomes: MigrationOutcome[]): string[] {
  return outcomes.map((o) => {
    const into = o.targetKey === o.key ? "" : ` into ${o.targetKey}`;
    const head = `migration ${o.status}: ${o.key} version ${o.sourceVersion}${into} → ${o.targetDefinitionId}: ${o.migrated} of ${o.instances} instance(s) moved`;
    const left = o.leftBehind > 0 ? `, ${o.leftBehind} left on version ${o.sourceVersion}` : "";
    const batch = o.batchId ? ` (batch ${o.batchId})` : "";
    const why = o.reasons.length > 0 ? `: ${o.reasons.join("; ")}` : "";
    return `${head}${left}${batch}${why}`;
  });
}

export function removalOutcomeLines(outcomes: RemovalOutcome[]): string[] {
  return outcomes.map(
    (o) =>
      `suspended: ${o.key} (${o.suspended.length} version(s)): new instances are refused, running ones finish`,
  );
}

export function migrationPlanJson(section: MigrationSection | null) {
  if (!section) return null;
  return {
    policy: section.policy,
    enabled: section.enabled,
    blocking: section.blocking,
    processes: section.processes.map((p) => ({
      key: p.key,
      targetKey: p.targetKey,
      file: p.file,
      instructionsFile: p.instructionsFile,
      removed: p.removed,
      declarationErrors: p.declarationErrors,
      versions: p.sources.map((s) => ({
        definitionId: s.definitionId,
        version: s.version,
        versionTag: s.versionTag,
        instances: s.instances,
        action: s.action,
        reasons: s.reasons,
        warnings: s.warnings,
        activities: s.activities,
      })),
    })),
  };
}
