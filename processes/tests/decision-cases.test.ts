/**
 * The decision table risk_rating, case by case, on the real engine: every rule, every age boundary
 * (17/18, 24/25, 75/76), the priority between overlapping rules, and make, model and region in
 * several spellings. Each case also names the row that must match, checked in the decision history.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { testEngine, uniqueId } from "../../test/support/engine.js";
import { deployModels, type ModelDeployment } from "./support/deployment.js";
import { processesDir } from "./support/models.js";
import { integer, plain, string } from "./support/values.js";

interface DecisionCase {
  case: string;
  rule: string;
  inputs: { applicantAge: number; vehicleMake: string; vehicleModel: string; region: string };
  expected: { riskGroup: string; premiumFactor: number; reviewGroup: string };
}

const table = JSON.parse(
  readFileSync(path.join(processesDir, "tests", "risk_rating.cases.json"), "utf8"),
) as {
  cases: DecisionCase[];
};
const dmn = readFileSync(path.join(processesDir, "risk_rating.dmn"), "utf8");
const ruleIds = [...dmn.matchAll(/<rule id="([^"]+)"/g)].map((match) => match[1]!);
/** Each rule's annotation: the riskReason it returns, so a reviewer sees why the rule matched. */
const annotations = Object.fromEntries(
  [...dmn.matchAll(/<rule id="([^"]+)">\s*<description>([^<]*)<\/description>/g)].map((m) => [m[1]!, m[2]!]),
);

describe("decision risk_rating", () => {
  let deployment: ModelDeployment;
  let decisionDefinitionId = "";
  const matchedRules = new Set<string>();

  before(async () => {
    const { client, logFile } = testEngine();
    deployment = await deployModels(client, uniqueId("decision-cases"), logFile);
    decisionDefinitionId = deployment.decisionDefinitionIds.risk_rating ?? "";
  });

  it("deploys with the processes and the engine logs no warning about it", () => {
    assert.ok(decisionDefinitionId, "the deployment holds no decision risk_rating");
    assert.deepEqual(deployment.logProblems, []);
  });

  it("the case table names every rule of the decision, and every rule has an annotation", () => {
    assert.equal(ruleIds.length, 8);
    assert.deepEqual(Object.keys(annotations).sort(), [...ruleIds].sort());
    assert.deepEqual([...new Set(table.cases.map((c) => c.rule))].sort(), [...ruleIds].sort());
  });

  for (const decisionCase of table.cases) {
    const { applicantAge, vehicleMake, vehicleModel, region } = decisionCase.inputs;
    it(`${decisionCase.case}: ${applicantAge}, ${vehicleMake} ${vehicleModel}, ${region} → ${decisionCase.expected.riskGroup}`, async () => {
      const { client } = testEngine();
      const before = await historicDecisionIds(decisionDefinitionId);
      const results = await client.ok(
        client.api.POST("/decision-definition/key/{key}/tenant-id/{tenant-id}/evaluate", {
          params: { path: { key: "risk_rating", "tenant-id": deployment.tenantId } },
          body: {
            variables: {
              applicantAge: integer(applicantAge),
              vehicleMake: string(vehicleMake),
              vehicleModel: string(vehicleModel),
              region: string(region),
            },
          },
        }),
      );
      assert.equal(results.length, 1, "hit policy FIRST returns exactly one result");
      const result = results[0]!;
      assert.deepEqual(
        {
          riskGroup: plain(result.riskGroup),
          premiumFactor: plain(result.premiumFactor),
          reviewGroup: plain(result.reviewGroup),
        },
        decisionCase.expected,
      );
      assert.equal(result.premiumFactor?.type, "Double");
      assert.equal(result.riskGroup?.type, "String");
      assert.equal(result.reviewGroup?.type, "String");
      assert.equal(
        plain(result.riskReason),
        annotations[decisionCase.rule],
        "riskReason is the rule's annotation",
      );
      assert.equal(result.riskReason?.type, "String");

      // Which row matched, from the decision history of this evaluation.
      const evaluated = (await historicDecisionIds(decisionDefinitionId)).filter(
        (id) => !before.includes(id),
      );
      assert.equal(evaluated.length, 1, "exactly one new evaluation in the decision history");
      const instance = await client.ok(
        client.api.GET("/history/decision-instance/{id}", {
          params: {
            path: { id: evaluated[0]! },
            query: { includeOutputs: true, disableCustomObjectDeserialization: true },
          },
        }),
      );
      const matched = [...new Set((instance.outputs ?? []).map((output) => output.ruleId))];
      assert.deepEqual(matched, [decisionCase.rule]);
      matchedRules.add(decisionCase.rule);
    });
  }

  after(() => {
    console.log(
      `risk_rating: ${table.cases.length} cases, ${matchedRules.size}/${ruleIds.length} rules matched at least once`,
    );
  });
});

async function historicDecisionIds(decisionDefinitionId: string): Promise<string[]> {
  const { client } = testEngine();
  const instances = await client.ok(
    client.api.GET("/history/decision-instance", { params: { query: { decisionDefinitionId } } }),
  );
  return instances.map((instance) => instance.id ?? "");
}
