import { defineRule, engineResult } from "#core/lint/plugin/helpers.js";

/** Form handler classes that ship with the engine itself. */
const ENGINE_PACKAGES = ["org.camunda.bpm.engine.impl.form.handler."];

/**
 * Config: `{ "classes": ["com.example.MyFormHandler", "com.example.forms."] }` lists classes (or
 * packages, ending in ".") that the engine's class path holds, e.g. from a jar in Run's userlib.
 */
export default defineRule({
  name: "engine-classpath",
  appliesTo: "bpmn",
  consequence: "deploy",
  description:
    "What the engine loads while it deploys must be on its class path: mail tasks need Commons Email (absent from Camunda Run), form handler classes need their jar.",
  create: (config, context) => {
    const known = [...ENGINE_PACKAGES, ...(Array.isArray(config.classes) ? config.classes.map(String) : [])];
    const onClassPath = (name: string) =>
      known.some((entry) => (entry.endsWith(".") ? name.startsWith(entry) : name === entry));
    return (node, reporter) => {
      if (node !== context.file.root) return false;
      const result = engineResult(context)?.context;
      for (const element of result?.mailTasks ?? []) {
        reporter.report(
          element.attributes.find((a) => a.name === "id")?.value ?? "",
          'camunda:type="mail" needs Apache Commons Email on the engine\'s class path, which Camunda Run and the local engine do not have: the deployment fails; send the mail from an external task worker instead',
          { line: element.end.line, column: element.end.column },
        );
      }
      for (const { className, element, what } of result?.classes ?? []) {
        if (onClassPath(className)) continue;
        reporter.report(
          element.attributes.find((a) => a.name === "id")?.value ?? "",
          `${what} "${className}" is loaded while the engine deploys the model and is not on its class path: the deployment fails; list it under the rule's "classes" option once its jar is in the engine image`,
          { line: element.end.line, column: element.end.column },
        );
      }
      return false;
    };
  },
});
