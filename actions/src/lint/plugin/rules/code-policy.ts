/**
 * The policy for code inside processes: a model that runs code runs it as the engine, with the
 * engine's database, credentials and network. Every place a model can carry code is an error unless
 * the lint config's allow-list covers that element with a reason (`camunda-gitops.allowCode`).
 */

import type { ProjectRule } from "#core/lint/plugin/helpers.js";
import { defineRule, engineResult, is } from "#core/lint/plugin/helpers.js";
import { unsafeExpressionUses } from "#core/lint/syntax/expression-safety.js";

const at = (element: { end: { line: number; column: number } }) => ({
  line: element.end.line,
  column: element.end.column,
});

export const scriptTask = defineRule({
  name: "script-task",
  appliesTo: "bpmn",
  consequence: "policy",
  description:
    "Script tasks run Groovy or JavaScript, shell tasks an operating-system command, inside the engine; do the work in an external task worker.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    for (const script of engineResult(context)?.context.scripts ?? []) {
      if (script.what !== "script task" && script.what !== "shell task") continue;
      const runs =
        script.what === "shell task"
          ? `shell task runs the operating-system command "${script.source ?? ""}" on the engine's host`
          : `script task runs ${script.language} code inside the engine${script.resource ? ` (from ${script.resource})` : ""}`;
      reporter.report(
        script.elementId ?? "",
        `${runs}: move the work to an external task worker, or allow-list this element with a reason`,
        at(script.element),
      );
    }
    return false;
  },
});

export const inlineScript = defineRule({
  name: "inline-script",
  appliesTo: "bpmn",
  consequence: "policy",
  description:
    "Scripts in listeners, input/output mappings and conditions (inline or camunda:resource) run inside the engine.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    for (const script of engineResult(context)?.context.scripts ?? []) {
      if (script.what === "script task" || script.what === "shell task") continue;
      reporter.report(
        script.elementId ?? "",
        `${script.what} runs ${script.language} code inside the engine${script.resource ? ` (from ${script.resource})` : ""}: use an expression that reads variables, or allow-list this element with a reason`,
        at(script.element),
      );
    }
    return false;
  },
});

export const javaClass = defineRule({
  name: "java-class",
  appliesTo: "bpmn",
  consequence: "policy",
  description:
    "camunda:class (delegates, listeners, variable mapping, form handlers, validators) runs Java code on the engine's class path.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    for (const code of engineResult(context)?.context.code ?? []) {
      // The engine's own form handlers are configuration, not code the model brings.
      if (code.kind !== "class" || code.value.startsWith("org.camunda.bpm.engine.impl.form.handler."))
        continue;
      reporter.report(
        code.elementId ?? "",
        `${code.what} "${code.value}" runs Java code inside the engine: use an external task (camunda:type="external"), or allow-list this element with a reason`,
        at(code.element),
      );
    }
    return false;
  },
});

export const delegateExpression = defineRule({
  name: "delegate-expression",
  appliesTo: "bpmn",
  consequence: "policy",
  description: "camunda:delegateExpression resolves a bean and runs its Java code inside the engine.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    for (const code of engineResult(context)?.context.code ?? []) {
      if (code.kind !== "delegateExpression") continue;
      reporter.report(
        code.elementId ?? "",
        `${code.what} "${code.value}" runs the Java code of whatever object it resolves, inside the engine: use an external task, or allow-list this element with a reason`,
        at(code.element),
      );
    }
    return false;
  },
});

export const connector = defineRule({
  name: "connector",
  appliesTo: "bpmn",
  consequence: "policy",
  description:
    "camunda:connector makes the engine itself call out over the network (e.g. to the instance metadata address); workers call services instead.",
  create: (_config, context) => (node, reporter) => {
    if (node !== context.file.root) return false;
    for (const found of engineResult(context)?.context.connectors ?? []) {
      reporter.report(
        found.ownerId ?? "",
        `connector "${found.connectorId}" makes the engine call out over the network itself: call the service from an external task worker, or allow-list this element with a reason`,
        at(found.element),
      );
    }
    return false;
  },
});

const SCRIPT_FREE = /^(feel|juel|https?:\/\/www\.omg\.org\/spec\/(DMN|FEEL)\/.*)$/i;

export const expressionCode = defineRule({
  name: "expression-code",
  appliesTo: "both",
  consequence: "policy",
  description:
    "Expressions may read variables and use the documented helpers; calling other methods, reflection (getClass, forName), Runtime or the engine's services is code.",
  create: (_config, context) => (node, reporter) => {
    if (context.file.kind === "dmn") {
      if (!is(node, "dmn:LiteralExpression") && !is(node, "dmn:UnaryTests")) return undefined;
      if (!/^juel$/i.test(languageOf(node) ?? "")) return undefined;
      const problems = unsafeExpressionUses(node.text ?? "");
      if (problems.length > 0) {
        reporter.report(
          ownerIdOf(node),
          `expression "${short(node.text ?? "")}" ${problems.join("; ")}: write it in FEEL, or allow-list this element with a reason`,
        );
      }
      return undefined;
    }
    if (node !== context.file.root) return false;
    for (const expression of engineResult(context)?.context.expressions ?? []) {
      // Delegate expressions are the delegate-expression rule's.
      if (expression.what.includes("elegateExpression")) continue;
      const problems = unsafeExpressionUses(expression.text);
      if (problems.length === 0) continue;
      reporter.report(
        expression.elementId ?? "",
        `${expression.what} "${short(expression.text)}" ${problems.join("; ")}: expressions may only read variables; use a worker, or allow-list this element with a reason`,
        at(expression.element),
      );
    }
    return false;
  },
});

export const dmnScript = defineRule({
  name: "dmn-script",
  appliesTo: "dmn",
  consequence: "policy",
  description:
    "DMN inputs, outputs and entries (or the definitions' default) in a script language (Groovy, JavaScript, …), and FEEL external Java functions, run code inside the engine.",
  create: () => (node, reporter) => {
    if (is(node, "dmn:Definitions")) {
      const language = node.expressionLanguage;
      if (typeof language === "string" && language !== "" && !SCRIPT_FREE.test(language)) {
        reporter.report(
          node.id ?? "",
          `the default expression language "${language}" runs every expression as a script inside the engine: use FEEL`,
        );
      }
      return undefined;
    }
    if (!is(node, "dmn:LiteralExpression") && !is(node, "dmn:UnaryTests")) return undefined;
    const language = languageOf(node);
    if (language && !SCRIPT_FREE.test(language)) {
      reporter.report(
        ownerIdOf(node),
        `"${short(node.text ?? "")}" is ${language} code that runs inside the engine: write it in FEEL, or allow-list this element with a reason`,
      );
    } else if (/\bexternal\s*\{[\s\S]*\bjava\s*:/.test(node.text ?? "")) {
      reporter.report(
        ownerIdOf(node),
        "a FEEL external function calls a Java method: remove it, or allow-list this element with a reason",
      );
    }
    return undefined;
  },
});

function languageOf(node: { expressionLanguage?: string; $parent?: unknown }): string | undefined {
  if (node.expressionLanguage) return node.expressionLanguage;
  return undefined;
}

function ownerIdOf(node: { id?: string; $parent?: unknown }): string {
  for (
    let current = node as { id?: string; $parent?: unknown } | undefined;
    current;
    current = current.$parent as typeof current
  ) {
    if (typeof current.id === "string") return current.id;
  }
  return "";
}

function short(text: string): string {
  const t = text.trim();
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

export const codePolicyRules: readonly ProjectRule[] = [
  scriptTask,
  inlineScript,
  javaClass,
  delegateExpression,
  expressionCode,
  connector,
  dmnScript,
];

/** The rules an allow-list entry (`camunda-gitops.allowCode`) may waive. */
export const CODE_RULES = codePolicyRules.map((rule) => rule.name);
