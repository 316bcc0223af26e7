import type { ModdleElement } from "#core/lint/parse.js";
import type { FileKind } from "#core/lint/types.js";
import type { RuleContext } from "./context.js";

export interface Reporter {
  report(
    id: string,
    message: string,
    extra?: { line?: number; column?: number; [key: string]: unknown },
  ): void;
}

export type Check = (node: ModdleElement, reporter: Reporter) => boolean | undefined;

export interface ProjectReport {
  file: string;
  line: number;
  column: number;
  elementId: string | null;
  message: string;
}

/**
 * One rule of the project's pack. `create` returns the bpmnlint check for per-file rules;
 * project rules (`checkProject`) look at the whole repository index once per run instead.
 */
export interface ProjectRule {
  name: string;
  description: string;
  appliesTo: FileKind | "both" | "project";
  create?: (config: Record<string, unknown>, context: RuleContext) => Check;
  checkProject?: (config: Record<string, unknown>, context: Omit<RuleContext, "file">) => ProjectReport[];
}

export function defineRule(rule: ProjectRule): ProjectRule {
  return rule;
}

/** Type test through moddle's own inheritance, as bpmnlint-utils does. */
export function is(node: ModdleElement, type: string): boolean {
  return typeof node?.$instanceOf === "function" && node.$instanceOf(type);
}

export function isAny(node: ModdleElement, types: readonly string[]): boolean {
  return types.some((type) => is(node, type));
}

/** `${…}` or `#{…}`: resolved by the engine at run time, so static checks cannot judge the value. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && /^\s*[$#]\{/.test(value);
}

/** Camunda extension properties (`<camunda:properties>`) of an element, by name. */
export function camundaProperty(node: ModdleElement, name: string): string | undefined {
  for (const extension of node?.extensionElements?.values ?? []) {
    if (!is(extension, "camunda:Properties")) continue;
    for (const property of extension.values ?? []) {
      if (property.name === name) return property.value;
    }
  }
  return undefined;
}

/** The text of a formal expression (`bpmn:FormalExpression.body`) or a DMN `text`. */
export function expressionText(node: ModdleElement): string | undefined {
  const value = node?.body ?? node?.text;
  return typeof value === "string" ? value : undefined;
}

/** Nearest element (itself or an ancestor) that has an id, so every finding can point at a line. */
export function idOf(node: ModdleElement): string {
  for (let current = node; current; current = current.$parent) {
    if (typeof current.id === "string") return current.id;
  }
  return "";
}

export function list<T = ModdleElement>(value: T[] | undefined): T[] {
  return value ?? [];
}
