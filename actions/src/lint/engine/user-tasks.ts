import type { Activity, ParseContext } from "./context.js";
import { parseTimer } from "./events.js";
import { commaSeparated, parseTaskListeners } from "./extensions.js";
import { parseFormDefinition, parseForms } from "./forms.js";
import { attr, camundaAttr, child, children, type XmlElement } from "./xml.js";

export function parseUserTask(ctx: ParseContext, element: XmlElement, activity: Activity): void {
  checkFormHandlerClass(ctx, element);
  parseForms(ctx, element);
  parseFormDefinition(ctx, element);
  const name = attr(element, "name");
  if (name !== undefined) ctx.expression(name, element, "task name");
  const documentation = children(element, "documentation");
  if (documentation.length > 0) {
    ctx.expression(
      documentation.map((d) => d.text.trim()).join("\n\n"),
      documentation[0] as XmlElement,
      "task documentation",
    );
  }
  const performers = children(element, "humanPerformer");
  let assigneeFromPerformer = false;
  if (performers.length > 1) {
    ctx.error("attribute-values", "a user task may have only one humanPerformer", element);
  } else if (performers[0]) {
    const expression = child(
      child(performers[0], "resourceAssignmentExpression") ?? performers[0],
      "formalExpression",
    );
    if (expression && child(performers[0], "resourceAssignmentExpression")) {
      ctx.expression(expression.text, expression, "humanPerformer");
      assigneeFromPerformer = true;
    }
  }
  for (const owner of children(element, "potentialOwner")) {
    const assignment = child(owner, "resourceAssignmentExpression");
    const expression = assignment ? child(assignment, "formalExpression") : undefined;
    if (!expression) continue;
    for (const entry of commaSeparated(expression.text)) {
      ctx.expression(entry.replace(/^(user|group)\((.*)\)$/, "$2").trim(), expression, "potentialOwner");
    }
  }
  const assignee = camundaAttr(element, "assignee");
  if (assignee !== undefined) {
    if (assigneeFromPerformer) {
      ctx.error(
        "attribute-values",
        "the assignee is set twice (humanPerformer and camunda:assignee); keep one",
        element,
      );
    } else ctx.expression(assignee, element, "camunda:assignee");
  }
  for (const name of ["candidateUsers", "candidateGroups"]) {
    const value = camundaAttr(element, name);
    if (value === undefined) continue;
    for (const entry of commaSeparated(value)) ctx.expression(entry.trim(), element, `camunda:${name}`);
  }
  for (const timer of parseTaskListeners(ctx, element, activity.id)) parseTimer(ctx, timer, activity, false);
  for (const name of ["dueDate", "followUpDate", "priority"]) {
    const value = camundaAttr(element, name);
    if (value !== undefined) ctx.expression(value, element, `camunda:${name}`);
  }
  for (const property of children(element, "property")) {
    if (attr(property, "id") === undefined && attr(property, "name") === undefined) {
      ctx.error("attribute-values", "a property needs an id or a name", property, activity.id);
    }
    for (const name of ["srcExpr", "dstExpr", "linkExpr"]) {
      const value = camundaAttr(property, name);
      if (value !== undefined) ctx.expression(value, property, `camunda:${name}`);
    }
  }
}

/** Classes the engine instantiates while it parses (form handlers) must be on its class path. */
export function checkFormHandlerClass(ctx: ParseContext, element: XmlElement): void {
  const className = camundaAttr(element, "formHandlerClass");
  if (className === undefined) return;
  ctx.classes.push({ className, element, what: "camunda:formHandlerClass" });
  ctx.javaCode("class", className, element, "camunda:formHandlerClass");
}
