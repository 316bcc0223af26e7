import { type EngineParseResult, engineParse } from "#core/lint/engine/bpmn-parse.js";
import type { ModdleElement } from "#core/lint/parse.js";
import type { Consequence, FileKind } from "#core/lint/types.js";
import type { RuleContext } from "./context.js";

export interface Reporter {
  report(
    id: string,
    message: string,
    extra?: { line?: number; column?: number; consequence?: Consequence; [key: string]: unknown },
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
  /** What happens if a finding of this rule ships (a finding may name another, e.g. a timer's runtime failure). */
  consequence: Consequence;
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

/** The engine-faithful parse of the current BPMN file (computed once, shared by the rules that read it). */
export function engineResult(context: RuleContext): EngineParseResult | null {
  const tree = context.file.tree;
  return tree ? engineParse(tree) : null;
}

/**
 * A rule whose findings come from the engine-faithful parse: it reports, once per file, what the
 * parse found under its name, at the position the engine would give.
 */
export function engineRule(rule: {
  name: string;
  description: string;
  consequence?: Consequence;
  /** Extra checks for DMN files, where the engine's BPMN parser is not involved. */
  dmn?: (config: Record<string, unknown>, context: RuleContext) => Check;
}): ProjectRule {
  return {
    name: rule.name,
    description: rule.description,
    consequence: rule.consequence ?? "deploy",
    appliesTo: rule.dmn ? "both" : "bpmn",
    create: (config, context) => {
      const dmn = rule.dmn?.(config, context);
      return (node, reporter) => {
        if (context.file.kind === "dmn") return dmn ? dmn(node, reporter) : false;
        if (node !== context.file.root) return false;
        for (const finding of engineResult(context)?.findings ?? []) {
          if (finding.rule !== rule.name) continue;
          reportEngineFinding(reporter, finding);
        }
        return false;
      };
    },
  };
}

/** Reports a finding at the engine's position: just after the start tag of the element it names. */
export function reportEngineFinding(
  reporter: Reporter,
  finding: {
    message: string;
    elementId: string | null;
    element: { end: { line: number; column: number } } | null;
    consequence?: Consequence;
  },
): void {
  reporter.report(finding.elementId ?? "", finding.message, {
    ...(finding.element ? { line: finding.element.end.line, column: finding.element.end.column } : {}),
    ...(finding.consequence ? { consequence: finding.consequence } : {}),
  });
}
