/**
 * The repository's FEEL and JUEL on the real engine (the pull request's engine-tests job): every rule of
 * every decision evaluated once with inputs that make it match, every JUEL condition compiled. The job
 * fails with file:line where the engine refuses what the static checks let through; where the static
 * checks and the engine disagree, the test says so. Catalogues of expressions pin the agreement.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { CamundaError } from "#core/camunda/index.js";
import { discoverFiles } from "#core/lint/discover.js";
import { conditionProbe } from "#core/lint/engine-check/condition-probe.js";
import { checkExpressionsOnEngine } from "#core/lint/engine-check/index.js";
import { checkFeel } from "#core/lint/syntax/feel.js";
import { checkJuel } from "#core/lint/syntax/juel.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { repoPath } from "../../support/repo.js";

const failing = new Set(["engine-rejects", "unreachable"]);

describe("the repository's decisions and conditions on the engine's FEEL and JUEL", () => {
  test("every decision rule is evaluated with inputs that reach it, every condition compiles, nothing fails", async (t) => {
    const files = await discoverFiles([repoPath("processes")], true);
    const result = await checkExpressionsOnEngine({
      client: testEngine().client,
      root: repoPath(),
      files,
      tenantId: uniqueId("engine-check"),
      progress: (line) => t.diagnostic(line),
    });
    for (const p of result.problems) t.diagnostic(`${p.file}:${p.line} ${p.kind}: ${p.message}`);
    assert.deepEqual(
      result.problems
        .filter((p) => failing.has(p.kind))
        .map((p) => `${p.file}:${p.line} (${p.elementId}) ${p.message}`),
      [],
    );
    const rules = files
      .filter((f) => f.endsWith(".dmn"))
      .flatMap((f) => [...readFileSync(f, "utf8").matchAll(/<rule\b/g)]);
    const conditions = files
      .filter((f) => f.endsWith(".bpmn"))
      .flatMap((f) => [
        ...readFileSync(f, "utf8").matchAll(/<bpmn:(conditionExpression|condition)\b(?![^>]*\blanguage=)/g),
      ]);
    assert.equal(result.rulesEvaluated, rules.length, "every rule was evaluated");
    assert.equal(result.conditionsCompiled, conditions.length, "every condition was compiled");
    assert.ok(result.rulesEvaluated > 0 && result.conditionsCompiled > 0);
  });

  test("a deliberately broken decision and condition fail, with file:line and what the static check said", async () => {
    const dir = repoPath("test/fixtures/lint/engine-check");
    const result = await checkExpressionsOnEngine({
      client: testEngine().client,
      root: repoPath(),
      files: [path.join(dir, "broken-condition.bpmn"), path.join(dir, "broken-decision.dmn")],
      tenantId: uniqueId("engine-check-broken"),
    });
    const found = result.problems.map((p) => ({
      at: `${p.file}:${p.line}`,
      elementId: p.elementId,
      kind: p.kind,
    }));
    assert.deepEqual(found, [
      {
        at: "test/fixtures/lint/engine-check/broken-condition.bpmn:10",
        elementId: "Flow_Empty",
        kind: "engine-rejects",
      },
      {
        at: "test/fixtures/lint/engine-check/broken-decision.dmn:13",
        elementId: "Rule_Senior",
        kind: "engine-rejects",
      },
    ]);
    assert.match(
      result.problems[0]?.message ?? "",
      /does not compile the condition "\$\{documents\.empty\}".*expression-syntax reports it too/,
    );
    assert.match(result.problems[1]?.message ?? "", /as null from "band for age\(age\)".*let it through/);
    assert.equal(result.rulesEvaluated, 3);
  });
});

async function engineCompiles(condition: string): Promise<boolean> {
  const { client } = testEngine();
  try {
    const deployment = await client.deploy({
      name: uniqueId("juel"),
      tenantId: uniqueId("juel"),
      resources: [{ name: "probe.bpmn", content: conditionProbe(condition, "Probe_Process") }],
    });
    await client.ok(
      client.api.DELETE("/deployment/{id}", {
        params: { path: { id: deployment.id as string }, query: { cascade: true } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof CamundaError) return false;
    throw error;
  }
}

async function engineEvaluates(entry: string): Promise<boolean> {
  const { client } = testEngine();
  const escaped = entry.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const tenant = uniqueId("feel");
  const deployment = await client.deploy({
    name: uniqueId("feel"),
    tenantId: tenant,
    resources: [
      {
        name: "probe.dmn",
        content: `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Probe" name="Probe" namespace="http://camunda-gitops/engine-check">
  <decision id="probe" name="probe" camunda:historyTimeToLive="1"><decisionTable id="Table">
    <input id="Input"><inputExpression id="InputExpression" typeRef="integer"><text>age</text></inputExpression></input>
    <output id="Output" name="out" typeRef="string" />
    <rule id="Rule"><inputEntry id="Entry"><text>${escaped}</text></inputEntry><outputEntry id="Out"><text>"x"</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>`,
      },
    ],
  });
  try {
    await client.ok(
      client.api.POST("/decision-definition/key/{key}/tenant-id/{tenant-id}/evaluate", {
        params: { path: { key: "probe", "tenant-id": tenant } },
        body: { variables: { age: { value: 30, type: "Integer" } } as never },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof CamundaError) return false;
    throw error;
  } finally {
    await client.ok(
      client.api.DELETE("/deployment/{id}", {
        params: { path: { id: deployment.id as string }, query: { cascade: true } },
      }),
    );
  }
}

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: JUEL expressions
const JUEL = [
  "${amount > 1000}",
  "${a ? b : c ? d : e}",
  "${S(order).prop('amount').numberValue() > 10}",
  "${now() != null}",
  "${not empty applicant.name}",
  "${a[\"x\"] eq 'y'}",
  "${x instanceof y}",
  "${fn:contains(list, 'a')}",
  "${contains(list, 'a')}",
  "${Now()}",
  "${a.empty}",
  "${a.and}",
  "${name == 'a\\x'}",
  "${a ? b}",
  "${a = 1}",
  "${a <> b}",
  "${f(a)(b)}",
  "#{a} ${b}",
];
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: JUEL expressions
const FEEL = [
  "< 18",
  "[18..25[",
  '"porsche","bmw"',
  'not("a")',
  "-",
  ">= 18 and < 40",
  ">= 5 and <",
  "[1..",
  '"unclosed',
];

describe("static checks and the engine agree, expression by expression", () => {
  for (const text of JUEL) {
    test(`JUEL ${text}`, async () => {
      const staticOk = checkJuel(text) === null;
      assert.equal(
        await engineCompiles(text),
        staticOk,
        `expression-syntax says ${staticOk ? "valid" : checkJuel(text)}`,
      );
    });
  }
  for (const entry of FEEL) {
    test(`FEEL input entry ${entry}`, async () => {
      const staticOk = checkFeel(entry, "unary-tests") === null;
      assert.equal(
        await engineEvaluates(entry),
        staticOk,
        `dmn-feel says ${staticOk ? "valid" : checkFeel(entry, "unary-tests")?.message}`,
      );
    });
  }
});
