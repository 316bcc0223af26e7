/** Service-task-like elements (service, send, business rule tasks, message throw events) and script tasks. */
import type { Activity, ParseContext } from "./context.js";
import { checkScript, parseFieldDeclarations, parseInputOutput, parsePriority } from "./extensions.js";
import { attr, camundaAttr, camundaChildren, child, extension, type XmlElement } from "./xml.js";

/**
 * `element` carries the camunda:class / expression / delegateExpression / type attributes (the task,
 * or the message event definition of a throw event); the connector is read from the same element.
 */
export function parseServiceTaskLike(
  ctx: ParseContext,
  activity: Activity,
  element: XmlElement,
  owner: XmlElement,
  sendTask: boolean,
): void {
  const ownerId = activity.id;
  const type = camundaAttr(element, "type");
  const className = camundaAttr(element, "class");
  const expression = camundaAttr(element, "expression");
  const delegate = camundaAttr(element, "delegateExpression");
  const resultVariable = camundaAttr(element, "resultVariable") ?? camundaAttr(element, "resultVariableName");
  const what = owner.tag;
  if (type !== undefined) {
    const kind = type.toLowerCase();
    if (kind === "mail") {
      const fields = parseFieldDeclarations(ctx, element, ownerId);
      if (!fields.includes("to"))
        ctx.error("service-task-implementation", 'a mail task needs a "to" field', element, ownerId);
      if (!fields.includes("text") && !fields.includes("html")) {
        ctx.error(
          "service-task-implementation",
          'a mail task needs a "text" or "html" field',
          element,
          ownerId,
        );
      }
      ctx.mailTasks.push(element);
      activity.behavior = "mail";
    } else if (kind === "shell") {
      const fields = shellFields(element);
      if (!fields.has("command"))
        ctx.error("service-task-implementation", 'a shell task needs a "command" field', element, ownerId);
      for (const name of ["wait", "redirectError", "cleanEnv"]) {
        const value = fields.get(name);
        if (value !== undefined && !["true", "false"].includes(value.toLowerCase())) {
          ctx.error(
            "service-task-implementation",
            `shell field ${name} must be true or false, not "${value}"`,
            element,
            ownerId,
          );
        }
      }
      parseFieldDeclarations(ctx, element, ownerId);
      ctx.script(element, "shell", fields.get("command") ?? null, null, "shell task", ownerId);
      activity.behavior = "shell";
    } else if (kind === "external") {
      parseExternalTask(ctx, element, ownerId);
      activity.behavior = "external";
    } else {
      ctx.error(
        "service-task-implementation",
        `camunda:type "${type}" is not external, mail or shell`,
        element,
        ownerId,
      );
    }
  } else if (className !== undefined && className.trim() !== "") {
    if (resultVariable !== undefined) {
      ctx.error(
        "attribute-values",
        `camunda:resultVariable cannot be used with camunda:class on ${what}`,
        element,
        ownerId,
      );
    }
    ctx.javaCode("class", className, element, "camunda:class", ownerId);
    parseFieldDeclarations(ctx, element, ownerId);
    activity.behavior = "class";
  } else if (delegate !== undefined) {
    if (resultVariable !== undefined) {
      ctx.error(
        "attribute-values",
        `camunda:resultVariable cannot be used with camunda:delegateExpression on ${what}`,
        element,
        ownerId,
      );
    }
    ctx.expression(delegate, element, "camunda:delegateExpression", ownerId);
    ctx.javaCode("delegateExpression", delegate, element, "camunda:delegateExpression", ownerId);
    parseFieldDeclarations(ctx, element, ownerId);
    activity.behavior = "delegateExpression";
  } else if (expression !== undefined && expression.trim() !== "") {
    ctx.expression(expression, element, "camunda:expression", ownerId);
    activity.behavior = "expression";
  }
  if (!parseConnector(ctx, activity, element)) return;
  if (activity.behavior === null) {
    ctx.error(
      "service-task-implementation",
      `${what} has no implementation: set camunda:type="external" with a camunda:topic (or a class, expression, delegateExpression or connector)`,
      element,
      ownerId,
    );
  }
  void sendTask;
}

/** The connect plugin's parse listener: a connector needs an id. Returns false when the parse stops. */
function parseConnector(ctx: ParseContext, activity: Activity, element: XmlElement): boolean {
  const connector = extension(element, "connector");
  if (!connector) return true;
  const id = child(connector, "connectorId")?.text.trim() ?? "";
  if (id === "") {
    ctx.error("service-task-implementation", "camunda:connector has no connectorId", connector, activity.id);
    return false;
  }
  parseInputOutput(ctx, connector, activity.id);
  ctx.connectors.push({ element: connector, connectorId: id, ownerId: activity.id });
  activity.behavior = "connector";
  return true;
}

function parseExternalTask(ctx: ParseContext, element: XmlElement, ownerId: string | null): void {
  const topic = camundaAttr(element, "topic");
  if (topic === undefined) {
    ctx.error(
      "topic-required",
      "external task without camunda:topic: the engine refuses to deploy it; set camunda:topic to a topic from the worker registry",
      element,
      ownerId,
    );
  } else ctx.expression(topic, element, "camunda:topic", ownerId);
  parsePriority(ctx, element, "taskPriority");
  const holder = child(element, "extensionElements");
  for (const definition of holder?.children.filter((c) => c.tag === "errorEventDefinition") ?? []) {
    if (attr(definition, "errorRef") === undefined) continue;
    const expression = attr(definition, "expression");
    if (expression === undefined) {
      ctx.error(
        "attribute-values",
        "camunda:errorEventDefinition needs an expression that decides when the error is thrown",
        definition,
        ownerId,
      );
    } else ctx.expression(expression, definition, "camunda:errorEventDefinition expression", ownerId);
  }
}

function shellFields(element: XmlElement): Map<string, string> {
  const holder = child(element, "extensionElements") ?? element;
  const fields = new Map<string, string>();
  for (const field of camundaChildren(holder, "field")) {
    const name = attr(field, "name");
    const value = attr(field, "stringValue") ?? camundaChildren(field, "string")[0]?.text;
    if (name !== undefined && value !== undefined) fields.set(name, value);
  }
  return fields;
}

/** Returns whether the engine can build the script task (a language and a source or resource). */
export function parseScriptTask(ctx: ParseContext, element: XmlElement): boolean {
  const script = child(element, "script");
  const problem = checkScript(
    ctx,
    element,
    attr(element, "scriptFormat") ?? "juel",
    script?.text,
    camundaAttr(element, "resource"),
    "script task",
    attr(element, "id") ?? null,
  );
  if (problem) {
    ctx.error("service-task-implementation", `the script task cannot be used: ${problem}`, script ?? element);
    return false;
  }
  return true;
}
