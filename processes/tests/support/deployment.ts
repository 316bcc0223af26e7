/**
 * Deploys the three models into a tenant of their own, so that this test file never meets another
 * test's versions of insurance_process, document_request or risk_rating on the shared engine, and
 * checks that the engine logged nothing alarming about them while deploying.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import type { CamundaClient } from "#core/camunda/index.js";
import { modelFiles, readModels } from "./models.js";

export interface ModelDeployment {
  tenantId: string;
  deploymentId: string;
  processDefinitionIds: Record<string, string>;
  decisionDefinitionIds: Record<string, string>;
  /** WARN/ERROR lines of the engine log written while deploying that concern these resources. */
  logProblems: string[];
}

export async function deployModels(
  client: CamundaClient,
  tenantId: string,
  logFile: string | undefined,
): Promise<ModelDeployment> {
  const log = watchEngineLog(logFile);
  const deployment = await client.deploy({
    name: `processes-test-${tenantId}`,
    source: "processes/tests",
    tenantId,
    resources: readModels(),
  });
  const byKey = (definitions: Record<string, { key?: string | null }> | null | undefined) =>
    Object.fromEntries(
      Object.entries(definitions ?? {}).map(([id, definition]) => [definition.key ?? "", id]),
    );
  const deploymentId = deployment.id ?? "";
  return {
    tenantId,
    deploymentId,
    processDefinitionIds: byKey(deployment.deployedProcessDefinitions),
    decisionDefinitionIds: byKey(deployment.deployedDecisionDefinitions),
    logProblems: log.problemsSince([tenantId, deploymentId, ...modelFiles]),
  };
}

/** Remembers where the engine log ends now; `problemsSince` reads what was written after that. */
export function watchEngineLog(logFile: string | undefined): { problemsSince(markers: string[]): string[] } {
  const start = logFile && existsSync(logFile) ? statSync(logFile).size : 0;
  return { problemsSince: (markers) => logProblemsSince(logFile, start, markers) };
}

/**
 * Other test files share the engine and may provoke warnings of their own at the same moment (a
 * deliberately broken deployment, say), so only log entries that name this deployment, its tenant or
 * one of its resources count. An entry is a timestamped line with its continuation lines: Camunda puts
 * the details of a parse warning, including "| resource <name> | line …", on the lines after
 * "ENGINE-09004 Warnings during parsing:".
 */
function logProblemsSince(logFile: string | undefined, start: number, markers: string[]): string[] {
  if (!logFile || !existsSync(logFile)) return [];
  const end = statSync(logFile).size;
  if (end <= start) return [];
  const buffer = Buffer.alloc(end - start);
  const fd = openSync(logFile, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  const entries: string[] = [];
  for (const line of buffer.toString("utf8").split("\n")) {
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(line) || entries.length === 0) entries.push(line);
    else entries[entries.length - 1] += `\n${line}`;
  }
  return entries
    .filter((entry) => /^\S+\s+(WARN|ERROR)\b/.test(entry))
    .filter((entry) => markers.some((marker) => marker && entry.includes(marker)))
    .map((entry) => entry.split("\n").slice(0, 6).join("\n"));
}
