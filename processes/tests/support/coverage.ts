/**
 * Coverage of the process models by the scenarios, read from the engine's history.
 *
 * Flow nodes: a node is covered when history holds at least one activity instance of it in one of
 * the scenarios' process instances.
 *
 * Sequence flows: Camunda 7 does not record taken sequence flows in history, so they are inferred.
 * A flow into a node with exactly one incoming flow is taken whenever that node was reached (there is
 * no other way in). For a node with several incoming flows (the merging gateways), each arrival is
 * attributed to the flow from the source activity instance that ended last before the arrival began,
 * in the same process instance. That is exact for these models, where every merge sits on a
 * sequential path (the only concurrent branch, the review escalation, merges nowhere).
 */
import type { ActivityRecord } from "./actors.js";
import type { ProcessGraph } from "./models.js";

export interface ElementCoverage {
  id: string;
  name: string;
  covered: boolean;
}

export interface ProcessCoverage {
  processId: string;
  file: string;
  flowNodes: ElementCoverage[];
  sequenceFlows: ElementCoverage[];
}

/** `histories`: the activity history of every scenario process instance, any process. */
export function computeCoverage(graph: ProcessGraph, histories: ActivityRecord[][]): ProcessCoverage {
  const reachedNodes = new Set<string>();
  const takenFlows = new Set<string>();
  const incomingByTarget = new Map<string, typeof graph.sequenceFlows>();
  for (const flow of graph.sequenceFlows) {
    incomingByTarget.set(flow.targetRef, [...(incomingByTarget.get(flow.targetRef) ?? []), flow]);
  }

  for (const history of histories) {
    const own = history.filter((activity) => activity.processDefinitionKey === graph.processId);
    for (const arrival of own) {
      reachedNodes.add(arrival.activityId);
      const incoming = incomingByTarget.get(arrival.activityId) ?? [];
      if (incoming.length === 1) {
        takenFlows.add(incoming[0]!.id);
      } else if (incoming.length > 1) {
        const sources = new Set(incoming.map((flow) => flow.sourceRef));
        const before = own.filter(
          (activity) =>
            sources.has(activity.activityId) &&
            activity.endTime !== null &&
            activity.endTime <= arrival.startTime,
        );
        // The latest to end; among equal end times the one that started last (history's order breaks ties).
        const source = before.reduce<ActivityRecord | undefined>(
          (latest, activity) => (!latest || activity.endTime! >= latest.endTime! ? activity : latest),
          undefined,
        );
        const flow = incoming.find((candidate) => candidate.sourceRef === source?.activityId);
        if (flow) takenFlows.add(flow.id);
      }
    }
  }

  return {
    processId: graph.processId,
    file: graph.file,
    flowNodes: graph.flowNodes.map((node) => ({
      id: node.id,
      name: node.name,
      covered: reachedNodes.has(node.id),
    })),
    sequenceFlows: graph.sequenceFlows.map((flow) => ({
      id: flow.id,
      name: flow.name || `${flow.sourceRef} → ${flow.targetRef}`,
      covered: takenFlows.has(flow.id),
    })),
  };
}

export function ratio(elements: ElementCoverage[]): { covered: number; total: number; percent: string } {
  const covered = elements.filter((element) => element.covered).length;
  const total = elements.length;
  return { covered, total, percent: total === 0 ? "100.0" : ((covered / total) * 100).toFixed(1) };
}

/** One line per process, for the test output. */
export function summaryLines(coverage: ProcessCoverage[]): string[] {
  return coverage.map((process) => {
    const nodes = ratio(process.flowNodes);
    const flows = ratio(process.sequenceFlows);
    return `${process.processId}: flow nodes ${nodes.covered}/${nodes.total} (${nodes.percent}%), sequence flows ${flows.covered}/${flows.total} (${flows.percent}%)`;
  });
}

/**
 * processes/tests/COVERAGE.md. Deterministic (no dates, no ids), so a run that changes nothing leaves
 * the file unchanged. `reasons` explains each element the scenarios do not reach.
 */
export function coverageMarkdown(
  coverage: ProcessCoverage[],
  scenarios: string[],
  reasons: Record<string, string>,
): string {
  const lines = [
    "# Process coverage",
    "",
    "Written by `npm test -- processes/tests` (processes/tests/scenarios.test.ts) after every scenario passed on",
    "the real Camunda 7.23 engine. Do not edit by hand.",
    "",
    "| process | file | flow nodes | sequence flows |",
    "|---|---|---|---|",
  ];
  for (const process of coverage) {
    const nodes = ratio(process.flowNodes);
    const flows = ratio(process.sequenceFlows);
    lines.push(
      `| \`${process.processId}\` | ${process.file} | ${nodes.covered}/${nodes.total} (${nodes.percent}%) | ${flows.covered}/${flows.total} (${flows.percent}%) |`,
    );
  }
  lines.push(
    "",
    "## Scenarios",
    "",
    ...scenarios.map((scenario) => `- ${scenario}`),
    "",
    "## Method",
    "",
    "- The scenarios run end to end on the engine; every process instance they create (the application and",
    "  each document request it calls) is read back from `GET /history/activity-instance`.",
    "- A flow node counts as covered when history holds at least one activity instance of it.",
    "- Camunda 7 does not record taken sequence flows in history, so they are inferred: a flow into a node",
    "  with a single incoming flow is taken whenever that node is reached; for a node with several incoming",
    "  flows (the merging gateways) each arrival is attributed to the flow whose source activity instance",
    "  ended last before the arrival started, in the same process instance. Every merge in these models sits",
    "  on a sequential path, so the attribution is exact.",
    "- The denominators are all flow nodes (boundary events included) and all sequence flows of each process,",
    "  read from the BPMN files with bpmn-moddle.",
    "",
    "## Not covered",
    "",
  );
  const uncovered = coverage.flatMap((process) =>
    [...process.flowNodes, ...process.sequenceFlows]
      .filter((element) => !element.covered)
      .map(
        (element) =>
          `- \`${process.processId}\` / \`${element.id}\` (${element.name}): ${reasons[element.id] ?? "no reason recorded"}`,
      ),
  );
  lines.push(
    ...(uncovered.length > 0 ? uncovered : ["Nothing: every flow node and sequence flow is reached."]),
    "",
  );
  return lines.join("\n");
}
