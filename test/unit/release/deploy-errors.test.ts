// biome-ignore-all lint/suspicious/noTemplateCurlyInString: JUEL expressions in BPMN text, not templates
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { CamundaError, parseResourceReports } from "#core/camunda/index.js";
import { annotationsFor } from "#core/release/annotations.js";
import { explainDeployFailure } from "#core/release/deploy-errors.js";
import { LintRefusedError } from "#core/release/lint-gate.js";
import type { Resource } from "#core/release/source.js";
import { decisionXml, processXml } from "../../integration/release/support.js";

function resource(name: string, text: string): Resource {
  return {
    name,
    file: `processes/${name}`,
    absolute: `/repo/processes/${name}`,
    kind: name.endsWith(".dmn") ? "dmn" : "bpmn",
    content: Buffer.from(text),
    text,
    sha256: createHash("sha256").update(text).digest("hex"),
  };
}

function engineError(
  status: number,
  body: { type?: string; message?: string; details?: unknown },
): CamundaError {
  return new CamundaError({
    status,
    method: "POST",
    path: "/deployment/create",
    baseUrl: "http://127.0.0.1:8080/engine-rest",
    type: body.type,
    engineMessage: body.message,
    resources: parseResourceReports(body.details),
    username: "demo",
  });
}

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;

describe("explaining a refused deployment", () => {
  const broken = processXml("err_p", { condition: "${amount &gt; }" });
  const fine = processXml("err_q");

  it("400 ParseException: the engine's line and column, and element positions for 0:0 problems", () => {
    // As the 7.23 engine answers, including the Cyrillic "е" in the elementIds key.
    const error = engineError(400, {
      type: "ParseException",
      message: "ENGINE-09005 Could not parse BPMN process. Errors: …",
      details: {
        "claims/broken.bpmn": {
          errors: [
            {
              message: "Unable to process condition expression:Script language is empty",
              line: 14,
              column: 79,
              mainElementId: "Flow_Large",
              еlementIds: ["Flow_Large"],
            },
            {
              message:
                "Exclusive Gateway 'Gateway_Amount' has outgoing sequence flow 'Flow_Large' without condition which is not the default flow.",
              line: 0,
              column: 0,
              mainElementId: "Gateway_Amount",
              еlementIds: ["Gateway_Amount", "Flow_Large"],
            },
          ],
          warnings: [],
        },
      },
    });
    const refused = explainDeployFailure(error, [
      resource("ok.bpmn", fine),
      resource("claims/broken.bpmn", broken),
    ]);
    assert.ok(refused);
    assert.deepEqual(
      refused.problems.map((p) => [p.file, p.line, p.column, p.elementId, p.position]),
      [
        ["processes/claims/broken.bpmn", 14, 79, "Flow_Large", "engine"],
        [
          "processes/claims/broken.bpmn",
          lineOf(broken, '<bpmn:exclusiveGateway id="Gateway_Amount"'),
          5,
          "Gateway_Amount",
          "model",
        ],
      ],
    );
    assert.match(
      refused.message,
      /processes\/claims\/broken\.bpmn does not parse \(2 problem\(s\) below\); nothing was deployed/,
    );
    assert.equal(
      refused.details[0],
      "processes/claims/broken.bpmn:14:79: Unable to process condition expression:Script language is empty (Flow_Large)",
    );
    assert.equal(refused.exitCode, 1);
  });

  it("500 ENGINE-01009: finds the expression in the file, with the element around it", () => {
    const error = engineError(500, {
      type: "ProcessEngineException",
      message:
        "ENGINE-01009 Error while parsing process. Error parsing '${amount > }': syntax error at position 11, encountered '}', expected <IDENTIFIER>.",
    });
    const refused = explainDeployFailure(error, [resource("ok.bpmn", fine), resource("broken.bpmn", broken)]);
    assert.ok(refused);
    assert.equal(refused.problems.length, 1);
    const [problem] = refused.problems;
    const line = lineOf(broken, "${amount &gt; }");
    assert.deepEqual(
      [problem?.file, problem?.line, problem?.column, problem?.elementId, problem?.position],
      ["processes/broken.bpmn", line, broken.split("\n")[line - 1]!.indexOf("${") + 1, "Flow_Large", "model"],
    );
    assert.match(problem?.message ?? "", /syntax error at position 11/);
  });

  it("500 ENGINE-01009 with an expression that is in no file: still one clear sentence", () => {
    const error = engineError(500, {
      message: "ENGINE-01009 Error while parsing process. Error parsing '${x y}': bad.",
    });
    const refused = explainDeployFailure(error, [resource("ok.bpmn", fine)]);
    assert.ok(refused);
    assert.deepEqual(refused.problems, []);
    assert.match(
      refused.message,
      /a process holds an expression it cannot parse \(\$\{x y\}\); nothing was deployed/,
    );
  });

  it("500 ENGINE-22004: names the DMN file", () => {
    const error = engineError(500, {
      message: "ENGINE-22004 Unable to transform DMN resource 'rates/risk.dmn'.",
    });
    const refused = explainDeployFailure(error, [resource("rates/risk.dmn", decisionXml("err_d"))]);
    assert.ok(refused);
    assert.equal(refused.problems[0]?.file, "processes/rates/risk.dmn");
    assert.match(refused.message, /processes\/rates\/risk\.dmn is not a DMN it can transform/);
  });

  it("leaves authentication and connectivity failures to the client's own message", () => {
    assert.equal(explainDeployFailure(engineError(401, {}), [resource("ok.bpmn", fine)]), null);
    assert.equal(
      explainDeployFailure(engineError(403, { message: "not allowed" }), [resource("ok.bpmn", fine)]),
      null,
    );
    assert.equal(explainDeployFailure(engineError(503, {}), [resource("ok.bpmn", fine)]), null);
  });
});

describe("annotations of a failed release", () => {
  it("one per engine problem, on its file, line and column", () => {
    const error = engineError(400, {
      type: "ParseException",
      details: {
        "a.bpmn": {
          errors: [{ message: "Boom", line: 7, column: 3, mainElementId: "Task_1", elementIds: ["Task_1"] }],
          warnings: [],
        },
      },
    });
    const refused = explainDeployFailure(error, [resource("a.bpmn", processXml("ann_a"))]);
    assert.deepEqual(annotationsFor(refused), [
      {
        file: "processes/a.bpmn",
        line: 7,
        column: 3,
        title: "Camunda refused a.bpmn (Task_1)",
        message: "Boom",
      },
    ]);
  });

  it("one per lint error, and none for failures without a line", () => {
    const lint = new LintRefusedError([
      {
        file: "processes/a.bpmn",
        line: 4,
        column: 5,
        elementId: "Flow_1",
        rule: "r",
        severity: "error",
        consequence: "deploy",
        message: "bad",
      },
      {
        file: "processes/a.bpmn",
        line: 9,
        column: 1,
        elementId: null,
        rule: "w",
        severity: "warning",
        consequence: "style",
        message: "meh",
      },
    ]);
    assert.deepEqual(annotationsFor(lint), [
      { file: "processes/a.bpmn", line: 4, column: 5, title: "r (Flow_1)", message: "bad" },
    ]);
    assert.deepEqual(annotationsFor(engineError(401, {})), []);
    assert.deepEqual(annotationsFor(new Error("x")), []);
  });
});
