/**
 * The process models under test: the files deployed together, and the flow nodes and sequence flows of
 * each process (read with bpmn-moddle, the parser Camunda Modeler uses) as the denominator of coverage.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { BpmnModdle } from "bpmn-moddle";
import camundaBpmn from "camunda-bpmn-moddle/resources/camunda.json" with { type: "json" };
import { repoRoot } from "../../../test/support/repo.js";

export const processesDir = path.join(repoRoot, "processes");

/**
 * Deployed together, as a release does: the call activity and the decision resolve within one
 * deployment's tenant, and the review task's Camunda Form is bound to the process's own deployment.
 */
export const modelFiles = [
  "insurance_process.bpmn",
  "document_request.bpmn",
  "risk_rating.dmn",
  "review-application.form",
] as const;

export interface ModelResource {
  name: string;
  content: string;
}

export function readModels(): ModelResource[] {
  return modelFiles.map((name) => ({ name, content: readFileSync(path.join(processesDir, name), "utf8") }));
}

export interface FlowElementInfo {
  id: string;
  name: string;
  type: string;
}

export interface SequenceFlowInfo extends FlowElementInfo {
  sourceRef: string;
  targetRef: string;
}

export interface ProcessGraph {
  processId: string;
  file: string;
  flowNodes: FlowElementInfo[];
  sequenceFlows: SequenceFlowInfo[];
}

// biome-ignore lint/suspicious/noExplicitAny: moddle trees are untyped
type ModdleElement = any;

/** Every executable process of one BPMN file, with its flow nodes (boundary events included) and flows. */
export async function readProcessGraphs(file: string): Promise<ProcessGraph[]> {
  const xml = readFileSync(path.join(processesDir, file), "utf8");
  // The ambient declaration of bpmn-moddle only has the constructor; fromXML is its documented reader.
  const moddle = new BpmnModdle({ camunda: camundaBpmn }) as unknown as {
    fromXML(
      xml: string,
      type: string,
    ): Promise<{ rootElement: ModdleElement; warnings: { message: string }[] }>;
  };
  const { rootElement, warnings } = await moddle.fromXML(xml, "bpmn:Definitions");
  if (warnings.length > 0) {
    throw new Error(`${file} does not parse cleanly: ${warnings.map((w) => w.message).join("; ")}`);
  }
  const graphs: ProcessGraph[] = [];
  for (const root of rootElement.rootElements as ModdleElement[]) {
    if (root.$type !== "bpmn:Process") continue;
    const flowNodes: FlowElementInfo[] = [];
    const sequenceFlows: SequenceFlowInfo[] = [];
    for (const element of (root.flowElements ?? []) as ModdleElement[]) {
      const info = { id: element.id, name: element.name ?? "", type: element.$type.replace(/^bpmn:/, "") };
      if (element.$type === "bpmn:SequenceFlow") {
        sequenceFlows.push({ ...info, sourceRef: element.sourceRef.id, targetRef: element.targetRef.id });
      } else if (element.$instanceOf("bpmn:FlowNode")) {
        flowNodes.push(info);
      }
    }
    graphs.push({ processId: root.id, file, flowNodes, sequenceFlows });
  }
  return graphs;
}
