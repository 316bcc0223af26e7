/**
 * Inputs that make each rule of a decision table match, found with feelin (the FEEL interpreter the
 * static check uses) as the oracle: for every input, a value its entry accepts, then the variable value
 * that the input expression turns into it. Evaluating the decision with those inputs on the engine
 * reaches every input and output entry of the rule.
 */
import { evaluate, unaryTest } from "feelin";
import type { ModdleElement } from "../parse.js";

export interface DecisionInput {
  id: string;
  expression: string;
  typeRef: string;
  /** Variable the input expression reads (a single one), or null when there is none or several. */
  variable: string | null;
}

export interface RuleCase {
  decisionKey: string;
  ruleId: string;
  /** Variables by name with the engine's value type; null when no inputs could be found for the rule. */
  variables: Record<string, { value: unknown; type: string }> | null;
  /** Why the inputs could not be constructed. */
  unreachable: string | null;
  /** The rule feelin expects to match first with these inputs (equals ruleId unless an earlier rule also matches). */
  expectedFirst: string | null;
}

const ENGINE_TYPES: Record<string, string> = {
  integer: "Integer",
  long: "Long",
  double: "Double",
  string: "String",
  boolean: "Boolean",
};

/** feelin's verdict, false when it cannot evaluate the text. */
function accepts(entry: string, value: unknown): boolean {
  try {
    return unaryTest(entry.trim() === "" ? "-" : entry, { "?": value }).value === true;
  } catch {
    return false;
  }
}

function evaluated(expression: string, variable: string, value: unknown): unknown {
  try {
    return evaluate(expression, { [variable]: value }).value;
  } catch {
    return undefined;
  }
}

/** Values worth trying for an entry: its literals, their neighbours, and a few of the input's type. */
function candidates(entry: string, typeRef: string): unknown[] {
  const values: unknown[] = [];
  for (const m of entry.matchAll(/"((?:[^"\\]|\\.)*)"/g)) values.push(m[1]);
  for (const m of entry.replace(/"(?:[^"\\]|\\.)*"/g, "").matchAll(/-?\d+(?:\.\d+)?/g)) {
    const n = Number(m[0]);
    values.push(n, n - 1, n + 1, n + 0.5);
  }
  if (typeRef === "boolean") values.push(true, false);
  else if (["integer", "long", "double"].includes(typeRef)) values.push(0, 1, 100, 1000, 10000);
  else values.push("x", "other", "");
  return values.filter(
    (v) => !(typeof v === "number" && ["integer", "long"].includes(typeRef) && !Number.isInteger(v)),
  );
}

/** The variable values whose input expression yields `value` (identity first, then case variants). */
function variableValue(input: DecisionInput, value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (!input.variable) return { ok: false };
  if (input.expression.trim() === input.variable) return { ok: true, value };
  const tries =
    typeof value === "string"
      ? [value, value.toUpperCase(), value.charAt(0).toUpperCase() + value.slice(1)]
      : [value];
  for (const attempt of tries) {
    if (evaluated(input.expression, input.variable, attempt) === value) return { ok: true, value: attempt };
  }
  return { ok: false };
}

export function decisionInputs(table: ModdleElement): DecisionInput[] {
  return (table.input ?? []).map((input: ModdleElement) => {
    const expression: string = input.inputExpression?.text ?? "";
    // Names read by the expression: what remains once strings and function names (FEEL's may have
    // several words, such as "lower case(") are removed, keywords aside.
    const names = new Set(
      [
        ...expression
          .replace(/"(?:[^"\\]|\\.)*"/g, "")
          .replace(/(?:[A-Za-z_]\w*\s+)*[A-Za-z_]\w*\s*\(/g, "(")
          .matchAll(/\b[A-Za-z_]\w*\b/g),
      ]
        .map((m) => m[0])
        .filter(
          (name) =>
            ![
              "and",
              "or",
              "not",
              "true",
              "false",
              "null",
              "if",
              "then",
              "else",
              "in",
              "some",
              "every",
              "satisfies",
              "for",
              "return",
            ].includes(name),
        ),
    );
    return {
      id: input.id,
      expression,
      typeRef: input.inputExpression?.typeRef ?? "string",
      variable: names.size === 1 ? ([...names][0] ?? null) : null,
    };
  });
}

export function ruleCases(decisionKey: string, table: ModdleElement): RuleCase[] {
  const inputs = decisionInputs(table);
  const rules: ModdleElement[] = table.rule ?? [];
  return rules.map((rule) => {
    const variables: Record<string, { value: unknown; type: string }> = {};
    const entryValues: unknown[] = [];
    let unreachable: string | null = null;
    (rule.inputEntry ?? []).forEach((entry: ModdleElement, i: number) => {
      if (unreachable) return;
      const input = inputs[i];
      if (!input) return;
      const text: string = entry.text ?? "";
      const value = candidates(text, input.typeRef).find((candidate) => accepts(text, candidate));
      if (value === undefined) {
        unreachable = `no value found for input ${input.id} that the entry "${text}" accepts`;
        return;
      }
      const variable = variableValue(input, value);
      if (!variable.ok) {
        unreachable = `no variable value found for input ${input.id} (${input.expression}) that yields ${JSON.stringify(value)}`;
        return;
      }
      entryValues[i] = value;
      if (input.variable)
        variables[input.variable] = { value: variable.value, type: ENGINE_TYPES[input.typeRef] ?? "String" };
    });
    const expectedFirst = unreachable
      ? null
      : (rules.find((candidate) =>
          (candidate.inputEntry ?? []).every((entry: ModdleElement, i: number) =>
            accepts(entry.text ?? "", entryValues[i]),
          ),
        )?.id ?? null);
    return {
      decisionKey,
      ruleId: rule.id,
      variables: unreachable ? null : variables,
      unreachable,
      expectedFirst,
    };
  });
}
