/**
 * The Camunda extensions the engine reads while it parses an element: listeners, input/output
 * mappings, field injections, scripts, forms. Each function checks what the engine checks, and
 * records every expression it compiles and every script it would run.
 */
import { idOf, type ParseContext } from "./context.js";
import {
  attr,
  camundaAttr,
  camundaChild,
  camundaChildren,
  child,
  extension,
  extensions,
  type XmlElement,
} from "./xml.js";

/** `${…}` or `#{…}` somewhere in the text (JUEL's "not literal text"). */
export function isExpressionText(text: string): boolean {
  return /(^|[^\\])[$#]\{/.test(text);
}

/** The engine's `parseBooleanAttribute`: null for anything it does not know. */
export function parseBoolean(text: string | undefined): boolean | null {
  if (text === undefined) return null;
  if (["true", "enabled", "on", "active", "yes"].includes(text)) return true;
  if (["false", "disabled", "off", "inactive", "no"].includes(text)) return false;
  return null;
}

/** A comma-separated list whose entries may be expressions that contain commas. */
export function commaSeparated(text: string): string[] {
  const result: string[] = [];
  let current = "";
  let inside = false;
  for (const c of text) {
    if (c === "{" || c === "$") inside = true;
    else if (c === "}") inside = false;
    else if (c === "," && !inside) {
      result.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  if (current.length > 0) result.push(current.trim());
  return result;
}

/**
 * A script (`scriptFormat`, inline text or `resource`) as `ScriptUtil.getScript` takes it: a language
 * and a source or a resource are required; a source or resource that is an expression is compiled.
 * Returns a message when the engine refuses it.
 */
export function checkScript(
  ctx: ParseContext,
  element: XmlElement,
  language: string | undefined,
  source: string | undefined,
  resource: string | undefined,
  what: string,
  ownerId: string | null,
): string | null {
  if (language === undefined || language === "") return "the script language is missing";
  if (source === undefined && resource === undefined) return "no script source or resource was given";
  const juel = language.toLowerCase() === "juel";
  if (resource !== undefined && resource !== "") {
    if (!juel && isExpressionText(resource)) ctx.expression(resource, element, `${what} resource`, ownerId);
    ctx.script(element, language, null, resource, what, ownerId);
    return null;
  }
  if (source === undefined) return "no script source or resource was given";
  if (!juel && isExpressionText(source)) ctx.expression(source, element, `${what} source`, ownerId);
  // A JUEL "script" is compiled when it runs, not at deployment.
  if (juel) ctx.expression(source, element, what, ownerId, false);
  else ctx.script(element, language, source, null, what, ownerId);
  return null;
}

/** `<camunda:script scriptFormat resource>` in listeners and input/output parameters. */
export function parseCamundaScript(
  ctx: ParseContext,
  script: XmlElement,
  ownerId: string | null,
  what: string,
) {
  const language = attr(script, "scriptFormat");
  if (language === undefined || language === "") {
    ctx.error("listeners-and-mappings", "camunda:script has no scriptFormat", script, ownerId);
    return;
  }
  const problem = checkScript(ctx, script, language, script.text, attr(script, "resource"), what, ownerId);
  if (problem) ctx.error("listeners-and-mappings", `the script cannot be used: ${problem}`, script, ownerId);
}

/** `camunda:executionListener` children of an element; on scopes the event must be start or end. */
export function parseExecutionListeners(ctx: ParseContext, element: XmlElement, onTransition: boolean): void {
  const ownerId = attr(element, "id") ?? null;
  for (const listener of extensions(element, "executionListener")) {
    if (!onTransition) {
      const event = attr(listener, "event");
      if (event === undefined || event.trim() === "") {
        ctx.error(
          "listeners-and-mappings",
          "execution listener has no event; set event to start or end",
          listener,
          ownerId,
        );
        continue;
      }
      if (event !== "start" && event !== "end") {
        ctx.error(
          "listeners-and-mappings",
          `execution listener event "${event}" is not start or end (only sequence flows have "take")`,
          listener,
          ownerId,
        );
        continue;
      }
    }
    parseListenerImplementation(ctx, listener, ownerId, "execution listener");
  }
}

function parseListenerImplementation(
  ctx: ParseContext,
  listener: XmlElement,
  ownerId: string | null,
  what: string,
) {
  const className = attr(listener, "class");
  const expression = attr(listener, "expression");
  const delegate = attr(listener, "delegateExpression");
  const script = camundaChild(listener, "script");
  const execution = what === "execution listener";
  if (className !== undefined) {
    if (className === "" && execution)
      ctx.error("listeners-and-mappings", `${what} has an empty class`, listener, ownerId);
    else {
      ctx.javaCode("class", className, listener, `${what} class`, ownerId);
      parseFieldDeclarations(ctx, listener, ownerId);
    }
  } else if (expression !== undefined) {
    ctx.expression(expression, listener, `${what} expression`, ownerId);
  } else if (delegate !== undefined) {
    if (delegate === "" && execution) {
      ctx.error("listeners-and-mappings", `${what} has an empty delegateExpression`, listener, ownerId);
    } else {
      ctx.expression(delegate, listener, `${what} delegateExpression`, ownerId);
      ctx.javaCode("delegateExpression", delegate, listener, `${what} delegateExpression`, ownerId);
      parseFieldDeclarations(ctx, listener, ownerId);
    }
  } else if (script) {
    parseCamundaScript(ctx, script, ownerId, `${what} script`);
  } else {
    ctx.error(
      "listeners-and-mappings",
      `${what} has no class, expression, delegateExpression or script`,
      listener,
      ownerId,
    );
  }
}

const TASK_EVENTS = new Set(["create", "assignment", "complete", "update", "delete"]);

/** `camunda:taskListener` of a user task; returns the timeout listeners' timers for the caller to parse. */
export function parseTaskListeners(
  ctx: ParseContext,
  task: XmlElement,
  ownerId: string | null,
): XmlElement[] {
  const timers: XmlElement[] = [];
  for (const listener of extensions(task, "taskListener")) {
    const event = attr(listener, "event");
    if (event === undefined) {
      ctx.error("listeners-and-mappings", "task listener has no event", task, ownerId);
      continue;
    }
    if (event === "timeout") {
      if (attr(listener, "id") === undefined) {
        ctx.error("listeners-and-mappings", "a timeout task listener needs an id", listener, ownerId);
      }
      const timer = child(listener, "timerEventDefinition");
      if (!timer) {
        ctx.error(
          "listeners-and-mappings",
          "a timeout task listener needs a timerEventDefinition",
          listener,
          ownerId,
        );
      } else timers.push(timer);
    } else if (!TASK_EVENTS.has(event)) {
      ctx.error(
        "listeners-and-mappings",
        `task listener event "${event}" is not one of create, assignment, complete, update, delete, timeout`,
        task,
        ownerId,
      );
      continue;
    }
    parseListenerImplementation(ctx, listener, ownerId, "task listener");
  }
  return timers;
}

/** `camunda:field` injections: a string or an expression, as an attribute or a child element, not both. */
export function parseFieldDeclarations(
  ctx: ParseContext,
  element: XmlElement,
  ownerId?: string | null,
): string[] {
  const holder = child(element, "extensionElements") ?? element;
  const owner = ownerId ?? idOf(element);
  const names: string[] = [];
  for (const field of camundaChildren(holder, "field")) {
    names.push(attr(field, "name") ?? "");
    const value = (attribute: string, tag: string): string | null => {
      const fromAttribute = attr(field, attribute);
      const elements = camundaChildren(field, tag);
      if (elements.length > 1) {
        ctx.error(
          "listeners-and-mappings",
          `camunda:field has several camunda:${tag} elements`,
          element,
          owner,
        );
        return null;
      }
      const fromElement = elements[0];
      if (fromAttribute !== undefined && fromElement) {
        ctx.error(
          "listeners-and-mappings",
          `camunda:field uses both the ${attribute} attribute and a camunda:${tag} element; keep one`,
          field,
          owner,
        );
        return null;
      }
      if (fromElement) {
        if (fromElement.text.length === 0) {
          ctx.error("listeners-and-mappings", `camunda:${tag} of camunda:field is empty`, field, owner);
          return null;
        }
        return fromElement.text;
      }
      return fromAttribute !== undefined && fromAttribute.length > 0 ? fromAttribute : null;
    };
    if (value("stringValue", "string") !== null) continue;
    const expression = value("expression", "expression");
    if (expression !== null && expression.trim().length > 0) {
      ctx.expression(expression, field, "camunda:field expression", owner);
      continue;
    }
    ctx.error(
      "listeners-and-mappings",
      "camunda:field has neither a stringValue nor an expression (attribute or child element)",
      element,
      owner,
    );
  }
  return names;
}

/**
 * `camunda:inputOutput` inside an element (the extensionElements of an activity, or a connector):
 * names required, at most one nested value, map entries with keys, scripts with a language.
 */
export function parseInputOutput(ctx: ParseContext, holder: XmlElement, ownerId: string | null) {
  const io = camundaChild(holder, "inputOutput");
  if (!io) return null;
  const mapping = { inputs: 0, outputs: 0 };
  for (const [local, kind] of [
    ["inputParameter", "inputs"],
    ["outputParameter", "outputs"],
  ] as const) {
    for (const parameter of camundaChildren(io, local)) {
      const name = attr(parameter, "name");
      if (name === undefined || name === "") {
        ctx.error("listeners-and-mappings", `camunda:${local} has no name`, parameter, ownerId);
        return mapping;
      }
      if (!parseNestedValue(ctx, parameter, ownerId)) return mapping;
      mapping[kind]++;
    }
  }
  return mapping;
}

function parseNestedValue(ctx: ParseContext, element: XmlElement, ownerId: string | null): boolean {
  if (element.children.length > 1) {
    ctx.error("listeners-and-mappings", "a parameter may hold at most one nested value", element, ownerId);
    return false;
  }
  const nested = element.children[0];
  return parseValue(ctx, nested ?? element, ownerId);
}

function parseValue(ctx: ParseContext, element: XmlElement, ownerId: string | null): boolean {
  if (element.tag === "list") {
    for (const item of element.children) if (!parseValue(ctx, item, ownerId)) return false;
    return true;
  }
  if (element.tag === "map") {
    for (const entry of element.children.filter((c) => c.tag === "entry")) {
      const key = attr(entry, "key");
      if (key === undefined || key === "") {
        ctx.error("listeners-and-mappings", "a camunda:map entry has no key", entry, ownerId);
        return false;
      }
      ctx.expression(key, entry, "map entry key", ownerId);
      if (!parseNestedValue(ctx, entry, ownerId)) return false;
    }
    return true;
  }
  if (element.tag === "script") {
    const language = attr(element, "scriptFormat");
    if (language === undefined || language === "") {
      ctx.error("listeners-and-mappings", "camunda:script has no scriptFormat", element, ownerId);
      return false;
    }
    const problem = checkScript(
      ctx,
      element,
      language,
      element.text,
      attr(element, "resource"),
      "input/output script",
      ownerId,
    );
    if (problem) {
      ctx.error("listeners-and-mappings", `the script cannot be used: ${problem}`, element, ownerId);
      return false;
    }
    return true;
  }
  const text = element.text.trim();
  if (text !== "") ctx.expression(text, element, "input/output parameter", ownerId);
  return true;
}

/** `camunda:inputOutput` where the engine never allows one (start and boundary events). */
export function ensureNoInputOutput(ctx: ParseContext, element: XmlElement): void {
  if (extension(element, "inputOutput")) {
    ctx.error(
      "listeners-and-mappings",
      `camunda:inputOutput is not supported on ${element.tag}`,
      element,
      attr(element, "id") ?? null,
    );
  }
}

/** `${…}`/`#{…}` at the start: the engine's test for "this attribute is an expression, not a constant". */
export function startsAsExpression(text: string): boolean {
  const t = text.trim();
  return t.startsWith("${") || t.startsWith("#{");
}

/** `camunda:jobPriority` / `camunda:taskPriority`: an integer or an expression. */
export function parsePriority(
  ctx: ParseContext,
  element: XmlElement,
  name: "jobPriority" | "taskPriority",
): void {
  const value = camundaAttr(element, name);
  if (value === undefined) return;
  if (!startsAsExpression(value) && !/^[-+]?\d+$/.test(value)) {
    ctx.error(
      "attribute-values",
      `camunda:${name}="${value}" is neither a whole number nor an expression`,
      element,
    );
  }
  if (!/^[-+]?\d+$/.test(value)) ctx.expression(value, element, `camunda:${name}`);
}
