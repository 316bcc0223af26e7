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

describe("encodings the engine's XML parser reads are read too", () => {
  const model = (declaration: string, name: string) =>
    `<?xml version="1.0" encoding="${declaration}"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="urn:x">\n  <bpmn:process id="P" isExecutable="true" camunda:historyTimeToLive="1">\n    <bpmn:startEvent id="Start" name="${name}" />\n    <bpmn:task id="T" name="${name}" camunda:asyncBefore="true" camunda:jobPriority="high" />\n  </bpmn:process>\n</bpmn:definitions>\n`;
  const priorityFinding = (report: Awaited<ReturnType<typeof lint>>) =>
    report.findings.filter((f) => f.consequence === "deploy").map((f) => [f.rule, f.line, f.elementId]);

  test("UTF-16 with a byte order mark, little and big endian: parsed, with lines", async () => {
    const text = model("UTF-16", "Prüfung");
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    for (const bytes of [le, be]) {
      const report = await lintOne("utf16.bpmn", bytes);
      assert.deepEqual(priorityFinding(report), [["camunda-gitops/attribute-values", 5, "T"]]);
    }
  });

  test("UTF-16 without a byte order mark is recognised by its first characters", async () => {
    const report = await lintOne("utf16-nobom.bpmn", Buffer.from(model("UTF-16", "x"), "utf16le"));
    assert.deepEqual(priorityFinding(report), [["camunda-gitops/attribute-values", 5, "T"]]);
  });

  test("a declared windows-1252 or ISO-8859-1 encoding is honoured, not called binary", async () => {
    for (const label of ["windows-1252", "ISO-8859-1"]) {
      const report = await lintOne("latin.bpmn", Buffer.from(model(label, "Prüfung €"), "latin1"));
      assert.deepEqual(priorityFinding(report), [["camunda-gitops/attribute-values", 5, "T"]]);
    }
  });

  test("an encoding nobody can read is one clear finding", async () => {
    const f = only(await lintOne("odd.bpmn", model("x-klingon", "x")));
    assert.equal(f.rule, "camunda-gitops/encoding");
    assert.match(f.message, /x-klingon.*save it as UTF-8/);
  });
});

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

  test("a model with 5,000 elements is linted completely: positions for the last element, findings capped per rule", async () => {
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
    // The last flow repeats an id: the one deploy finding, at the end of the file.
    const xml = `${BPMN_OPEN}  <bpmn:process id="Big" isExecutable="true" camunda:historyTimeToLive="30" xmlns:camunda="http://camunda.org/schema/1.0/bpmn">\n    <bpmn:startEvent id="Start" name="Start"><bpmn:outgoing>Flow_0</bpmn:outgoing></bpmn:startEvent>\n${tasks.join("\n")}\n${flows.join("\n")}\n    <bpmn:endEvent id="End" name="End"><bpmn:incoming>Flow_End</bpmn:incoming></bpmn:endEvent>\n    <bpmn:sequenceFlow id="Flow_End" sourceRef="Task_${n - 1}" targetRef="End" />\n    <bpmn:dataStoreReference id="Flow_0" />\n  </bpmn:process>\n</bpmn:definitions>\n`;
    const report = await lintOne("big.bpmn", xml);
    // Without a diagram every element gets no-bpmndi: 100 listed, then one "and N more".
    const bpmndi = report.findings.filter((f) => f.rule === "no-bpmndi");
    assert.equal(bpmndi.length, 101);
    assert.match(
      bpmndi.find((f) => f.elementId === null)?.message ?? "",
      /and 4903 more findings of this rule/,
    );
    const duplicate = report.findings.filter((f) => f.rule === "camunda-gitops/duplicate-id");
    assert.equal(duplicate.length, 1);
    assert.equal(duplicate[0]?.line, 7 + n + n);
    assert.equal(duplicate[0]?.consequence, "deploy");
  });

  test("100,000 findings of a rule do not crash the linter: the first 100 and one summing up the rest", async () => {
    const tasks = Array.from({ length: 100_000 }, (_, i) => `    <bpmn:task id="T${i}" name="t" />`).join(
      "\n",
    );
    const report = await lintOne(
      "tasks.bpmn",
      `${BPMN_OPEN}  <bpmn:process id="P" isExecutable="false">\n    <bpmn:startEvent id="Start" name="s" />\n${tasks}\n  </bpmn:process>\n</bpmn:definitions>\n`,
    );
    const bpmndi = report.findings.filter((f) => f.rule === "no-bpmndi");
    assert.equal(bpmndi.length, 101);
    assert.match(
      bpmndi.find((f) => f.elementId === null)?.message ?? "",
      /and 99901 more findings of this rule/,
    );
    assert.ok(formatReport(report, "json").length > 0);
    assert.ok(formatReport(report, "sarif").length > 0);
  });
});
