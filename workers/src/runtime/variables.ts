/**
 * Camunda typed variables ⇄ plain values. Handlers see plain JSON values (Json variables parsed,
 * numbers as numbers); their outputs are typed here: whole numbers become Integer (or Long beyond
 * 32 bits), other numbers Double, lists and objects Json (the engine has Spin), null Null.
 */
import type { components } from "#core/camunda/openapi.js";
import type { VariableValue } from "#workers/handler.js";

export type TypedValue = components["schemas"]["VariableValueDto"];

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Marks a Json/Object variable whose text does not parse, so validation reports it by name. */
export const UNPARSEABLE = Symbol("unparseable");

export function fromTyped(
  variables: Readonly<Record<string, TypedValue>> | null | undefined,
): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, typed] of Object.entries(variables ?? {})) plain[name] = fromTypedValue(typed);
  return plain;
}

function fromTypedValue(typed: TypedValue): unknown {
  const type = (typed.type ?? "").toLowerCase();
  const value = typed.value as unknown;
  if (value === null || value === undefined || type === "null") return null;
  const format = (typed.valueInfo as { serializationDataFormat?: string } | undefined)
    ?.serializationDataFormat;
  if (type === "json" || (type === "object" && format === "application/json")) {
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value);
    } catch {
      return UNPARSEABLE;
    }
  }
  return value;
}

export function toTyped(variables: Readonly<Record<string, VariableValue>>): Record<string, TypedValue> {
  const typed: Record<string, TypedValue> = {};
  for (const [name, value] of Object.entries(variables)) typed[name] = toTypedValue(value);
  return typed;
}

export function toTypedValue(value: VariableValue): TypedValue {
  if (value === null) return { type: "Null", value: null };
  switch (typeof value) {
    case "string":
      return { type: "String", value };
    case "boolean":
      return { type: "Boolean", value };
    case "number":
      if (!Number.isFinite(value)) throw new Error("output variables must be finite numbers");
      if (Number.isInteger(value))
        return { type: value >= INT_MIN && value <= INT_MAX ? "Integer" : "Long", value };
      return { type: "Double", value };
    default:
      return { type: "Json", value: JSON.stringify(value) };
  }
}
