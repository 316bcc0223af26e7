import type { ModdleElement } from "#core/lint/parse.js";
import { defineRule, idOf, is, isAny, isExpression, list } from "#core/lint/plugin/helpers.js";
import { analyzeJuel, ENGINE_FUNCTIONS } from "#core/lint/syntax/juel.js";

/** What an expression may name besides process variables. */
const NOT_VARIABLES = new Set([...ENGINE_FUNCTIONS, "execution", "task", "externalTask", "true", "false"]);
const DEPLOYMENT_FORM_KEY = /^camunda-forms:deployment:(.+)$/;

/**
 * A user task's or start event's Camunda Form must exist in the repository, be bound so that each
 * process version keeps its own form, and ask for what the process decides on right after the task.
 */
export default defineRule({
  name: "form-reference",
  appliesTo: "bpmn",
  consequence: "runtime",
  description:
    "camunda:formRef names a Camunda Form (.form) of the repository, bound to the deployment; the gateway right after the task decides only on what the form asks for or shows.",
  create: (_config, context) => (node, reporter) => {
    if (!isAny(node, ["bpmn:UserTask", "bpmn:StartEvent"])) return undefined;
    const id = idOf(node);
    const forms = context.index.forms;
    let form = null;
    const formRef = typeof node.formRef === "string" ? node.formRef.trim() : "";
    if (formRef !== "" && !isExpression(formRef)) {
      form = forms.byKey.get(formRef) ?? null;
      if (!form) {
        reporter.report(
          id,
          `camunda:formRef "${formRef}" names no Camunda Form of the repository (no .form file has "id": "${formRef}"): Tasklist cannot open the task; add the form beside the models or fix the key`,
        );
        return undefined;
      }
      if (node.formRefBinding === "latest") {
        reporter.report(
          id,
          `camunda:formRefBinding="latest" resolves "${formRef}" across all tenants (ENGINE-03109 as soon as two tenants have the form) and shows open tasks whatever form was released last: use "deployment", which keeps each process version with its own form`,
          { severity: "warning" },
        );
      }
    }
    const formKey = typeof node.formKey === "string" ? DEPLOYMENT_FORM_KEY.exec(node.formKey.trim()) : null;
    if (formKey && !isExpression(formKey[1])) {
      const name = formKey[1]!;
      form = [...forms.byFile.values()].find((f) => f.file === name || f.file.endsWith(`/${name}`)) ?? null;
      if (!form) {
        reporter.report(
          id,
          `camunda:formKey names the form file ${name}, which is not in the repository: Tasklist cannot open the task; add the file or fix the name`,
        );
        return undefined;
      }
    }
    if (!form || !is(node, "bpmn:UserTask")) return undefined;

    // What the process decides on right after the task must come from the person (or be shown to them).
    const known = new Set([...form.asks, ...form.shows]);
    for (const gateway of list(node.outgoing)
      .map((flow: ModdleElement) => flow.targetRef)
      .filter((target: ModdleElement) => is(target, "bpmn:ExclusiveGateway"))) {
      const missing = new Set<string>();
      for (const flow of list(gateway.outgoing)) {
        const body = flow.conditionExpression?.body;
        if (typeof body !== "string") continue;
        for (const name of analyzeJuel(body)?.identifiers ?? []) {
          if (!known.has(name) && !NOT_VARIABLES.has(name)) missing.add(name);
        }
      }
      for (const name of missing) {
        reporter.report(
          id,
          `the gateway ${gateway.id} right after this task decides on "${name}", which its form "${form.key}" (${form.file}) neither asks for nor shows: the person cannot set it, and the gateway fails when it is missing; add a field with key "${name}" or fix the condition`,
          { severity: "warning" },
        );
      }
    }
    return undefined;
  },
});
