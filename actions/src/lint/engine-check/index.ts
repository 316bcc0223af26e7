/**
 * The repository's FEEL and JUEL on the real engine: every rule of every decision table evaluated
 * once with inputs that make it match, and every JUEL condition compiled by the engine in a process
 * of its own. A problem is where the engine refuses what the static checks let through, or where the
 * two disagree.
 */
import { readFileSync } from "node:fs";
import { type CamundaClient, CamundaError } from "#core/camunda/index.js";
import { relativePath } from "#core/util/paths.js";
import { engineParse } from "../engine/bpmn-parse.js";
import type { ModdleElement } from "../parse.js";
import { parseModel } from "../parse.js";
import { buildSourceMap } from "../source-map.js";
import { checkFeel } from "../syntax/feel.js";
import { checkJuel } from "../syntax/juel.js";
import { conditionProbe } from "./condition-probe.js";
import { ruleCases } from "./decision-cases.js";

export interface EngineCheckProblem {
  file: string;
  line: number;
  elementId: string | null;
  /**
   * `engine-rejects`: the engine fails on something the static checks let through; `static-rejects`:
   * the static check refuses what the engine accepts; `match-differs`: the engine matched another rule
   * than the static FEEL evaluation; `unreachable`: no inputs were found to reach the rule.
   */
  kind: "engine-rejects" | "static-rejects" | "match-differs" | "unreachable";
  message: string;
}

export interface EngineCheckResult {
  problems: EngineCheckProblem[];
  rulesEvaluated: number;
  conditionsCompiled: number;
}

export interface EngineCheckOptions {
  client: CamundaClient;
  /** Repository root: problems name files relative to it. */
  root: string;
  /** BPMN and DMN files (absolute paths). */
  files: readonly string[];
  /** Each deployment goes into this tenant, so the check never meets other definitions. */
  tenantId: string;
  /** One line per step, for CI logs. */
  progress?: (line: string) => void;
}

export async function checkExpressionsOnEngine(options: EngineCheckOptions): Promise<EngineCheckResult> {
  const result: EngineCheckResult = { problems: [], rulesEvaluated: 0, conditionsCompiled: 0 };
  for (const file of options.files) {
    if (/\.dmn$/i.test(file)) await checkDecisions(options, file, result);
    else await checkConditions(options, file, result);
  }
  return result;
}

async function deploy(options: EngineCheckOptions, name: string, content: string): Promise<string> {
  const deployment = await options.client.deploy({
    name: `engine-check-${name}`,
    tenantId: options.tenantId,
    resources: [{ name, content }],
  });
  return deployment.id as string;
}

async function undeploy(options: EngineCheckOptions, id: string): Promise<void> {
  await options.client.ok(
    options.client.api.DELETE("/deployment/{id}", { params: { path: { id }, query: { cascade: true } } }),
  );
}

const engineMessage = (error: unknown) =>
  error instanceof CamundaError ? (error.engineMessage ?? error.message) : String(error);

async function checkDecisions(options: EngineCheckOptions, file: string, result: EngineCheckResult) {
  const { client, tenantId } = options;
  const shown = relativePath(options.root, file);
  const text = readFileSync(file, "utf8");
  const lines = buildSourceMap(text).ids;
  const lineOf = (id: string) => lines.get(id)?.[0]?.line ?? 1;
  const { root } = await parseModel("dmn", text);
  let deploymentId: string;
  try {
    deploymentId = await deploy(options, shown.split("/").pop() ?? "decision.dmn", text);
  } catch (error) {
    result.problems.push({
      file: shown,
      line: 1,
      elementId: null,
      kind: "engine-rejects",
      message: `the engine does not deploy the file: ${engineMessage(error)}`,
    });
    return;
  }
  try {
    for (const decision of (root.drgElement ?? []) as ModdleElement[]) {
      const table = decision.decisionLogic;
      if (decision.$type !== "dmn:Decision" || table?.$type !== "dmn:DecisionTable") continue;
      options.progress?.(`${shown}: decision ${decision.id}, ${(table.rule ?? []).length} rules`);
      for (const ruleCase of ruleCases(decision.id, table)) {
        const rule = (table.rule as ModdleElement[]).find((r) => r.id === ruleCase.ruleId);
        const where = { file: shown, line: lineOf(ruleCase.ruleId), elementId: ruleCase.ruleId };
        if (!ruleCase.variables) {
          result.problems.push({
            ...where,
            kind: "unreachable",
            message: `rule ${ruleCase.ruleId} of ${decision.id} was not evaluated: ${ruleCase.unreachable}`,
          });
          continue;
        }
        const staticProblems = [...(rule?.inputEntry ?? []), ...(rule?.outputEntry ?? [])]
          .map((entry: ModdleElement) =>
            checkFeel(entry.text ?? "", entry.$type === "dmn:UnaryTests" ? "unary-tests" : "expression"),
          )
          .filter(Boolean);
        result.rulesEvaluated++;
        const inputs = JSON.stringify(
          Object.fromEntries(Object.entries(ruleCase.variables).map(([k, v]) => [k, v.value])),
        );
        try {
          await client.ok(
            client.api.POST("/decision-definition/key/{key}/tenant-id/{tenant-id}/evaluate", {
              params: { path: { key: decision.id, "tenant-id": tenantId } },
              body: { variables: ruleCase.variables as never },
            }),
          );
        } catch (error) {
          result.problems.push({
            ...where,
            kind: "engine-rejects",
            message: `the engine cannot evaluate ${decision.id} with ${inputs} (made to reach rule ${ruleCase.ruleId}): ${engineMessage(error)}${staticProblems.length > 0 ? " (dmn-feel reports this rule too)" : "; the static check (dmn-feel) let it through"}`,
          });
          continue;
        }
        const outputs = await lastOutputs(client, decision.id, tenantId);
        const matched = outputs[0]?.ruleId ?? null;
        // feel-scala turns an output it cannot compute (an unknown function, a type error) into null.
        for (const output of outputs.filter((o) => o.ruleId === ruleCase.ruleId && o.value === null)) {
          const index = (table.output ?? []).findIndex((o: ModdleElement) => o.id === output.clauseId);
          const entry = ((rule?.outputEntry ?? [])[index]?.text ?? "").trim();
          if (entry === "" || entry === "null") continue;
          result.problems.push({
            ...where,
            kind: "engine-rejects",
            message: `the engine computes output ${output.variableName ?? output.clauseId} of rule ${ruleCase.ruleId} as null from "${entry}" with ${inputs}: FEEL gives null for an unknown function or a type error instead of failing; the static check (dmn-feel) let it through`,
          });
        }
        if (matched && ruleCase.expectedFirst && matched !== ruleCase.expectedFirst) {
          result.problems.push({
            ...where,
            kind: "match-differs",
            message: `with ${inputs} the engine matched rule ${matched}, feelin (the static check's FEEL) rule ${ruleCase.expectedFirst}: the two read an entry differently`,
          });
        }
      }
    }
  } finally {
    await undeploy(options, deploymentId);
  }
}

interface HistoricOutput {
  ruleId?: string | null;
  clauseId?: string | null;
  variableName?: string | null;
  value?: unknown;
}

/** The outputs of the newest evaluation of the decision in the history, with the rule each comes from. */
async function lastOutputs(client: CamundaClient, key: string, tenantId: string): Promise<HistoricOutput[]> {
  const instances = await client.ok(
    client.api.GET("/history/decision-instance", {
      params: {
        query: {
          decisionDefinitionKey: key,
          tenantIdIn: tenantId,
          includeOutputs: true,
          sortBy: "evaluationTime",
          sortOrder: "desc",
          maxResults: 1,
        } as never,
      },
    }),
  );
  return (instances as Array<{ outputs?: HistoricOutput[] | null }>)[0]?.outputs ?? [];
}

async function checkConditions(options: EngineCheckOptions, file: string, result: EngineCheckResult) {
  const shown = relativePath(options.root, file);
  const text = readFileSync(file, "utf8");
  const tree = buildSourceMap(text, { tree: true }).tree;
  if (!tree) return;
  const conditions = engineParse(tree).context.expressions.filter(
    (e) => e.what === "condition" && e.atDeploy,
  );
  if (conditions.length > 0) options.progress?.(`${shown}: ${conditions.length} JUEL condition(s)`);
  for (const [i, condition] of conditions.entries()) {
    const staticProblem = checkJuel(condition.text);
    const where = { file: shown, line: condition.element.end.line, elementId: condition.elementId };
    let refusal: string | null = null;
    try {
      const id = await deploy(options, `condition-${i}.bpmn`, conditionProbe(condition.text, `probe_${i}`));
      await undeploy(options, id);
    } catch (error) {
      refusal = engineMessage(error);
    }
    result.conditionsCompiled++;
    if (refusal && !staticProblem) {
      result.problems.push({
        ...where,
        kind: "engine-rejects",
        message: `the engine does not compile the condition "${condition.text.trim()}" (${refusal}); the static check (expression-syntax) let it through`,
      });
    } else if (!refusal && staticProblem) {
      result.problems.push({
        ...where,
        kind: "static-rejects",
        message: `expression-syntax refuses the condition "${condition.text.trim()}" (${staticProblem}), the engine compiles it`,
      });
    } else if (refusal) {
      result.problems.push({
        ...where,
        kind: "engine-rejects",
        message: `the engine does not compile the condition "${condition.text.trim()}" (${refusal}); expression-syntax reports it too`,
      });
    }
  }
}
