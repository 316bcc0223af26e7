/** Camunda typed values for the REST API, named after the engine's value types. */
export interface TypedValue {
  value: unknown;
  type: string;
  valueInfo?: Record<string, unknown>;
}

export type Variables = Record<string, TypedValue>;

export const string = (value: string): TypedValue => ({ value, type: "String" });
export const integer = (value: number): TypedValue => ({ value, type: "Integer" });
export const double = (value: number): TypedValue => ({ value, type: "Double" });
export const boolean = (value: boolean): TypedValue => ({ value, type: "Boolean" });
/** A Json variable (Spin): the REST API takes its serialized text. */
export const json = (value: unknown): TypedValue => ({ value: JSON.stringify(value), type: "Json" });

/** The plain value of a typed value as the engine returns it; Json text is parsed. */
export function plain(variable: { value?: unknown; type?: string | null } | undefined): unknown {
  if (!variable) return undefined;
  if (variable.type === "Json" && typeof variable.value === "string") return JSON.parse(variable.value);
  return variable.value;
}
