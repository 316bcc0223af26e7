/**
 * Deploys the three models into a tenant of their own, so that this test file never meets another
 * test's versions of insurance_process, document_request or risk_rating on the shared engine, and
 * checks that the engine logged nothing alarming about them while deploying.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import type { CamundaClient } from "../../../actions/src/camunda/index.js";
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
  const logStart = logSize(logFile);
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
    logProblems: logProblemsSince(logFile, logStart, [tenantId, deploymentId, ...modelFiles]),
  };
}

function logSize(logFile: string | undefined): number {
  return logFile && existsSync(logFile) ? statSync(logFile).size : 0;
}

/**
 * Other test files share the engine and may provoke warnings of their own at the same moment (a
 * deliberately broken deployment, say), so only lines that name this deployment, its tenant or one of
 * its resources count. Camunda's parse warnings and deployment errors name the resource.
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
  return buffer
    .toString("utf8")
    .split("\n")
    .filter(
      (line) => /\b(WARN|ERROR)\b/.test(line) && markers.some((marker) => marker && line.includes(marker)),
    );
}
