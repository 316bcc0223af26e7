import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { formatReport, lint } from "#core/lint/index.js";

const BPMN_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="urn:x">\n';

async function lintOne(name: string, content: string | Uint8Array, options: { maxFileBytes?: number } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), "lint-broken-"));
  try {
    await writeFile(path.join(dir, name), content);
    let configFile: string | null = null;
    if (options.maxFileBytes !== undefined) {
      configFile = path.join(dir, "lintrc.json");
      await writeFile(
        configFile,
        JSON.stringify({
          extends: "bpmnlint:recommended",
          "camunda-gitops": { maxFileBytes: options.maxFileBytes },
        }),
      );
    }
    return await lint({
      paths: [path.join(dir, name)],
      root: dir,
      indexPaths: [],
      registry: null,
      configFile,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function only(report: Awaited<ReturnType<typeof lint>>) {
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings));
  return report.findings[0]!;
}

describe("unsafe or broken input is a finding, never a crash", () => {
  test("not XML: the finding names the file, the line and the column", async () => {
    const f = only(
      await lintOne(
        "broken.bpmn",
        `${BPMN_OPEN}  <bpmn:process id="P">\n    <bpmn:task id="T">\n</bpmn:definitions>\n`,
      ),
    );
    assert.equal(f.rule, "camunda-gitops/not-xml");
    assert.equal(f.file, "broken.bpmn");
    assert.equal(f.line, 5);
    assert.equal(f.severity, "error");
  });

  test("plain text is not XML", async () => {
    const f = only(await lintOne("notes.bpmn", "these are meeting notes, not a model\n"));
    assert.equal(f.rule, "camunda-gitops/not-xml");
    assert.equal(f.line, 1);
  });

  test("an empty file", async () => {
    assert.equal(only(await lintOne("empty.bpmn", "")).rule, "camunda-gitops/empty-file");
    assert.equal(only(await lintOne("blank.dmn", "  \n\n")).rule, "camunda-gitops/empty-file");
  });

  test("a binary file", async () => {
    const bytes = Uint8Array.from({ length: 2048 }, (_, i) => (i * 37) % 256);
    assert.equal(only(await lintOne("image.bpmn", bytes)).rule, "camunda-gitops/binary-file");
  });

  test("a DOCTYPE with an external entity is refused and the referenced file is never read", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lint-secret-"));
    const marker = `SECRET-MARKER-${process.pid}-${Date.now()}`;
    const secret = path.join(dir, "secret.txt");
    await writeFile(secret, marker);
    try {
      const xml = `<?xml version="1.0"?>\n<!DOCTYPE definitions [\n  <!ENTITY leak SYSTEM "file://${secret}">\n]>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D"><bpmn:process id="P" name="&leak;"/></bpmn:definitions>\n`;
      const report = await lintOne("xxe.bpmn", xml);
      const f = only(report);
      assert.equal(f.rule, "camunda-gitops/doctype");
      assert.equal(f.line, 2);
      for (const format of ["text", "json", "github", "sarif"] as const) {
        assert.ok(
          !formatReport(report, format).includes(marker),
          `${format} output must not contain the entity's target`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("the wrong root element", async () => {
    const f = only(
      await lintOne(
        "pom.bpmn",
        '<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0"/>\n',
      ),
    );
    assert.equal(f.rule, "camunda-gitops/wrong-root");
    assert.equal(f.line, 2);
    assert.match(f.message, /project/);
    const dmnAsBpmn = only(
      await lintOne(
        "decision.bpmn",
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"/>',
      ),
    );
    assert.equal(dmnAsBpmn.rule, "camunda-gitops/wrong-root");
  });

  test("a 20 MB file is over the size limit and is not parsed", async () => {
    const filler = `  <bpmn:documentation>${"x".repeat(1000)}</bpmn:documentation>\n`;
    const body = filler.repeat(Math.ceil((20 * 1024 * 1024) / filler.length));
    const f = only(await lintOne("huge.bpmn", `${BPMN_OPEN}${body}</bpmn:definitions>\n`));
    assert.equal(f.rule, "camunda-gitops/file-too-large");
    assert.match(f.message, /20\.\d MB/);
  });

  test("the size limit is configurable", async () => {
    const report = await lintOne("small.bpmn", `${BPMN_OPEN}</bpmn:definitions>\n`, { maxFileBytes: 10 });
    assert.equal(only(report).rule, "camunda-gitops/file-too-large");
  });

  test("a model with 5,000 elements is linted completely, with positions for the last element", async () => {
    const tasks: string[] = [];
    const flows: string[] = [];
    const n = 2500;
    for (let i = 0; i < n; i++) {
      const next = i === n - 1 ? "Flow_End" : `Flow_${i + 1}`;
      tasks.push(
        `    <bpmn:task id="Task_${i}" name="Task ${i}"><bpmn:incoming>Flow_${i}</bpmn:incoming><bpmn:outgoing>${next}</bpmn:outgoing></bpmn:task>`,
      );
      flows.push(
        `    <bpmn:sequenceFlow id="Flow_${i}" sourceRef="${i === 0 ? "Start" : `Task_${i - 1}`}" targetRef="Task_${i}" />`,
      );
    }
    const xml = `${BPMN_OPEN}  <bpmn:process id="Big" isExecutable="false">\n    <bpmn:startEvent id="Start" name="Start"><bpmn:outgoing>Flow_0</bpmn:outgoing></bpmn:startEvent>\n${tasks.join("\n")}\n${flows.join("\n")}\n    <bpmn:endEvent id="End" name="End"><bpmn:incoming>Flow_End</bpmn:incoming></bpmn:endEvent>\n    <bpmn:sequenceFlow id="Flow_End" sourceRef="Task_${n - 1}" targetRef="End" />\n  </bpmn:process>\n</bpmn:definitions>\n`;
    const report = await lintOne("big.bpmn", xml);
    // This model lacks only its diagram (no-bpmndi, one per element) and is not executable.
    const rules = new Set(report.findings.map((f) => f.rule));
    assert.deepEqual([...rules].sort(), ["camunda-gitops/executable-process", "no-bpmndi"]);
    assert.equal(report.findings.filter((f) => f.rule === "no-bpmndi").length, 2 * n + 3);
    const last = report.findings.find((f) => f.elementId === `Flow_${n - 1}`);
    assert.equal(last?.line, 4 + n + n);
  });
});
