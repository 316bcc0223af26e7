/** Call activities and decision tasks: what they call, with which binding, and the variables they pass. */

import type { Activity, ParseContext } from "./context.js";
import { attr, camundaAttr, child, type XmlElement } from "./xml.js";

const RESULT_MAPPERS = new Set(["singleEntry", "singleResult", "collectEntries", "resultList"]);

export function parseDecisionTask(ctx: ParseContext, element: XmlElement, activity: Activity): void {
  activity.behavior = "decision";
  ctx.expression(camundaAttr(element, "decisionRef") ?? "", element, "camunda:decisionRef");
  parseCallableBinding(
    ctx,
    element,
    "decisionRefBinding",
    "decisionRefVersion",
    "decisionRefVersionTag",
    "decisionRefTenantId",
  );
  const mapper = camundaAttr(element, "mapDecisionResult");
  if (mapper !== undefined && !RESULT_MAPPERS.has(mapper)) {
    ctx.error(
      "attribute-values",
      `camunda:mapDecisionResult "${mapper}" is not singleEntry, singleResult, collectEntries or resultList`,
      element,
    );
  }
}

export function parseCallableBinding(
  ctx: ParseContext,
  element: XmlElement,
  bindingName: string,
  versionName: string,
  versionTagName: string,
  tenantName: string,
): void {
  const binding = camundaAttr(element, bindingName);
  const version = camundaAttr(element, versionName);
  const versionTag = camundaAttr(element, versionTagName);
  if (binding === "version" && version === undefined) {
    ctx.error("call-activities", `camunda:${bindingName}="version" needs camunda:${versionName}`, element);
  }
  if (binding === "versionTag" && versionTag === undefined) {
    ctx.error(
      "call-activities",
      `camunda:${bindingName}="versionTag" needs camunda:${versionTagName}`,
      element,
    );
  }
  if (version !== undefined) ctx.expression(version, element, `camunda:${versionName}`);
  if (versionTag !== undefined) ctx.expression(versionTag, element, `camunda:${versionTagName}`);
  const tenant = camundaAttr(element, tenantName);
  if (tenant !== undefined && tenant !== "") ctx.expression(tenant, element, `camunda:${tenantName}`);
}

export function parseCallActivity(ctx: ParseContext, element: XmlElement): void {
  const calledElement = attr(element, "calledElement");
  const caseRef = camundaAttr(element, "caseRef");
  if (calledElement === undefined && caseRef === undefined) {
    ctx.error("call-activities", "call activity has neither calledElement nor camunda:caseRef", element);
  } else if (calledElement !== undefined && caseRef !== undefined) {
    ctx.error(
      "call-activities",
      "call activity has both calledElement and camunda:caseRef; keep one",
      element,
    );
  }
  if (calledElement !== undefined) {
    const delegate = camundaAttr(element, "variableMappingDelegateExpression");
    const mappingClass = camundaAttr(element, "variableMappingClass");
    if (mappingClass !== undefined)
      ctx.javaCode("class", mappingClass, element, "camunda:variableMappingClass");
    else if (delegate !== undefined) {
      ctx.expression(delegate, element, "camunda:variableMappingDelegateExpression");
      ctx.javaCode("delegateExpression", delegate, element, "camunda:variableMappingDelegateExpression");
    }
    ctx.expression(calledElement, element, "calledElement");
    parseCallableBinding(
      ctx,
      element,
      "calledElementBinding",
      "calledElementVersion",
      "calledElementVersionTag",
      "calledElementTenantId",
    );
  } else if (caseRef !== undefined) {
    ctx.expression(caseRef, element, "camunda:caseRef");
    parseCallableBinding(
      ctx,
      element,
      "caseBinding",
      "caseVersion",
      "calledElementVersionTag",
      "caseTenantId",
    );
  }
  parseVariablePassing(ctx, element, "in");
  parseVariablePassing(ctx, element, "out");
}

/** `camunda:in` / `camunda:out`: all variables, or a source (or sourceExpression) and a target. */
export function parseVariablePassing(ctx: ParseContext, element: XmlElement, direction: "in" | "out"): void {
  const holder = child(element, "extensionElements");
  if (!holder) return;
  const ownerId = attr(element, "id") ?? null;
  for (const parameter of holder.children.filter(
    (c) => c.local === direction && (c.uri.endsWith("/1.0/bpmn") || c.uri === "http://activiti.org/bpmn"),
  )) {
    const businessKey = attr(parameter, "businessKey");
    if (direction === "in" && businessKey !== undefined && businessKey !== "") {
      ctx.expression(businessKey, parameter, "camunda:in businessKey");
      continue;
    }
    if (attr(parameter, "variables") === "all") continue;
    let source = attr(parameter, "source");
    if (source === "")
      ctx.error("call-activities", `camunda:${direction} has an empty source`, parameter, ownerId);
    if (source === undefined) {
      source = attr(parameter, "sourceExpression");
      if (source === "")
        ctx.error(
          "call-activities",
          `camunda:${direction} has an empty sourceExpression`,
          parameter,
          ownerId,
        );
      else if (source !== undefined)
        ctx.expression(source, parameter, `camunda:${direction} sourceExpression`, ownerId);
    }
    if (source === undefined) {
      ctx.error(
        "call-activities",
        `camunda:${direction} has no source or sourceExpression`,
        parameter,
        ownerId,
      );
    }
    const target = attr(parameter, "target");
    if (target === undefined) {
      ctx.error("call-activities", `camunda:${direction} has no target`, parameter, ownerId);
    } else if (target === "") {
      ctx.error("call-activities", `camunda:${direction} has an empty target`, parameter, ownerId);
    }
  }
}
