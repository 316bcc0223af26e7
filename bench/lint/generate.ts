/**
 * Generates the lint benchmark corpus: BPMN files of varied sizes (a few elements to a few thousand),
 * each a valid Camunda 7 process with diagram information, so both linters do their full work rather
 * than stopping at errors. Deterministic: the same count gives the same files.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

const TOPICS = ["validate-application", "calculate-premium", "issue-policy", "send-notification"];

/** Small deterministic PRNG (mulberry32) so the corpus is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Node {
  id: string;
  xml: (incoming: string[], outgoing: string[]) => string;
  width: number;
  height: number;
}

function model(index: number, steps: number, rand: () => number): string {
  const pid = `bench_process_${index}`;
  const nodes: Node[] = [];
  const flows: Array<{ id: string; from: string; to: string; condition?: string }> = [];
  const io = (incoming: string[], outgoing: string[]) =>
    [
      ...incoming.map((f) => `<bpmn:incoming>${f}</bpmn:incoming>`),
      ...outgoing.map((f) => `<bpmn:outgoing>${f}</bpmn:outgoing>`),
    ].join("");
  nodes.push({
    id: "Start",
    width: 36,
    height: 36,
    xml: (i, o) => `<bpmn:startEvent id="Start" name="Application received">${io(i, o)}</bpmn:startEvent>`,
  });
  let previous = "Start";
  let flowCount = 0;
  const connect = (from: string, to: string, condition?: string) => {
    const id = `Flow_${++flowCount}`;
    flows.push({ id, from, to, ...(condition ? { condition } : {}) });
  };
  for (let step = 0; step < steps; step++) {
    const kind = rand();
    if (kind < 0.15 && step < steps - 1) {
      // An exclusive split and join around two tasks: conditions on one branch, the other is the default.
      const split = `Gateway_Split_${step}`;
      const join = `Gateway_Join_${step}`;
      const a = `Task_Approve_${step}`;
      const b = `Task_Review_${step}`;
      const toA = `Flow_${flowCount + 2}`;
      const toB = `Flow_${flowCount + 3}`;
      connect(previous, split);
      connect(split, a, `\${amount > ${Math.floor(rand() * 10000)}}`);
      connect(split, b);
      connect(a, join);
      connect(b, join);
      nodes.push({
        id: split,
        width: 50,
        height: 50,
        xml: (i, o) =>
          `<bpmn:exclusiveGateway id="${split}" name="Amount high?" default="${toB}">${io(i, o)}</bpmn:exclusiveGateway>`,
      });
      nodes.push({
        id: a,
        width: 100,
        height: 80,
        xml: (i, o) => `<bpmn:userTask id="${a}" name="Approve ${step}">${io(i, o)}</bpmn:userTask>`,
      });
      nodes.push({
        id: b,
        width: 100,
        height: 80,
        xml: (i, o) => `<bpmn:userTask id="${b}" name="Review ${step}">${io(i, o)}</bpmn:userTask>`,
      });
      nodes.push({
        id: join,
        width: 50,
        height: 50,
        xml: (i, o) => `<bpmn:exclusiveGateway id="${join}">${io(i, o)}</bpmn:exclusiveGateway>`,
      });
      previous = join;
      void toA;
    } else {
      const id = `Task_${step}`;
      const topic = TOPICS[Math.floor(rand() * TOPICS.length)];
      connect(previous, id);
      nodes.push({
        id,
        width: 100,
        height: 80,
        xml: (i, o) =>
          `<bpmn:serviceTask id="${id}" name="Step ${step}" camunda:type="external" camunda:topic="${topic}">${io(i, o)}</bpmn:serviceTask>`,
      });
      previous = id;
    }
  }
  connect(previous, "End");
  nodes.push({
    id: "End",
    width: 36,
    height: 36,
    xml: (i, o) => `<bpmn:endEvent id="End" name="Done">${io(i, o)}</bpmn:endEvent>`,
  });

  // Layout: a grid, left to right, wrapping every 20 nodes; no two shapes overlap.
  const position = new Map<string, { x: number; y: number; w: number; h: number }>();
  nodes.forEach((node, i) => {
    position.set(node.id, {
      x: 150 + (i % 20) * 160,
      y: 100 + Math.floor(i / 20) * 160,
      w: node.width,
      h: node.height,
    });
  });
  const incoming = (id: string) => flows.filter((f) => f.to === id).map((f) => f.id);
  const outgoing = (id: string) => flows.filter((f) => f.from === id).map((f) => f.id);
  const centre = (id: string) => {
    const p = position.get(id)!;
    return { x: p.x + p.w / 2, y: p.y + p.h / 2 };
  };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_' +
      index +
      '" targetNamespace="http://example.com/bench">',
    `  <bpmn:process id="${pid}" name="Benchmark ${index}" isExecutable="true" camunda:historyTimeToLive="180">`,
    ...nodes.map((n) => `    ${n.xml(incoming(n.id), outgoing(n.id))}`),
    ...flows.map((f) =>
      f.condition
        ? `    <bpmn:sequenceFlow id="${f.id}" sourceRef="${f.from}" targetRef="${f.to}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${f.condition.replace(/>/g, "&gt;")}</bpmn:conditionExpression></bpmn:sequenceFlow>`
        : `    <bpmn:sequenceFlow id="${f.id}" sourceRef="${f.from}" targetRef="${f.to}" />`,
    ),
    "  </bpmn:process>",
    `  <bpmndi:BPMNDiagram id="Diagram_${index}">`,
    `    <bpmndi:BPMNPlane id="Plane_${index}" bpmnElement="${pid}">`,
    ...nodes.map((n) => {
      const p = position.get(n.id)!;
      return `      <bpmndi:BPMNShape id="${n.id}_di" bpmnElement="${n.id}"><dc:Bounds x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" /></bpmndi:BPMNShape>`;
    }),
    ...flows.map((f) => {
      const a = centre(f.from);
      const b = centre(f.to);
      return `      <bpmndi:BPMNEdge id="${f.id}_di" bpmnElement="${f.id}"><di:waypoint x="${a.x}" y="${a.y}" /><di:waypoint x="${b.x}" y="${b.y}" /></bpmndi:BPMNEdge>`;
    }),
    "    </bpmndi:BPMNPlane>",
    "  </bpmndi:BPMNDiagram>",
    "</bpmn:definitions>",
    "",
  ];
  return lines.join("\n");
}

/** Writes `count` files into `dir`; sizes spread log-uniformly from 3 to 300 steps (about 1 KB to 80 KB). */
export async function generateCorpus(dir: string, count: number): Promise<{ files: number; bytes: number }> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const rand = random(20260101);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const steps = Math.round(3 * 100 ** rand());
    const text = model(i, steps, rand);
    bytes += Buffer.byteLength(text);
    await writeFile(path.join(dir, `bench-${String(i).padStart(3, "0")}.bpmn`), text);
  }
  return { files: count, bytes };
}
