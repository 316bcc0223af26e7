/** Generated forms and form references of user tasks and start events, as the engine reads them. */
import type { ParseContext } from "./context.js";
import { isExpressionText, parseBoolean } from "./extensions.js";
import { attr, camundaAttr, camundaChild, camundaChildren, child, type XmlElement } from "./xml.js";

const FORM_TYPES = new Set(["string", "long", "date", "boolean", "enum"]);
const VALIDATORS = new Set(["min", "max", "minlength", "maxlength", "required", "readonly"]);

/** Generated forms (`camunda:formData`, legacy `camunda:formProperty`) of a user task or the start event. */
export function parseForms(ctx: ParseContext, element: XmlElement): void {
  const holder = child(element, "extensionElements");
  if (!holder) return;
  for (const property of camundaChildren(holder, "formProperty")) {
    if (attr(property, "id") === undefined) ctx.error("forms", "form property has no id", property);
    formType(ctx, property, false);
    for (const name of ["required", "readable", "writable"]) {
      const value = attr(property, name);
      if (value !== undefined && parseBoolean(value) === null) {
        ctx.error(
          "forms",
          `form property attribute ${name}="${value}" is not one of on, yes, true, enabled, active, off, no, false, disabled, inactive`,
          property,
        );
      }
    }
    for (const name of ["expression", "default"]) {
      const value = attr(property, name);
      if (value !== undefined) ctx.expression(value, property, `form property ${name}`);
    }
  }
  const data = camundaChild(holder, "formData");
  if (!data) return;
  for (const field of camundaChildren(data, "formField")) {
    const id = attr(field, "id");
    if (id === undefined || id === "") ctx.error("forms", "form field has no id", field);
    const label = attr(field, "label");
    if (label !== undefined) ctx.expression(label, field, "form field label");
    const validation = camundaChild(field, "validation");
    for (const constraint of validation ? camundaChildren(validation, "constraint") : []) {
      const name = attr(constraint, "name");
      const config = attr(constraint, "config");
      if (name === "validator") {
        if (config === undefined || config === "") {
          ctx.error("forms", "a custom validator needs a config (class name or expression)", constraint);
        } else if (isExpressionText(config)) {
          ctx.expression(config, constraint, "validator");
          ctx.javaCode("delegateExpression", config, constraint, "custom form validator");
        } else ctx.javaCode("class", config, constraint, "custom form validator");
      } else if (name === undefined || !VALIDATORS.has(name)) {
        ctx.error("forms", `no validator is named "${name ?? ""}"`, constraint);
      }
    }
    formType(ctx, field, true);
    const defaultValue = attr(field, "defaultValue");
    if (defaultValue !== undefined) ctx.expression(defaultValue, field, "form field defaultValue");
  }
}

function formType(ctx: ParseContext, element: XmlElement, required: boolean): void {
  const type = attr(element, "type");
  if (type === undefined) {
    if (required) ctx.error("forms", "form field has no type", element);
    return;
  }
  if (!FORM_TYPES.has(type)) ctx.error("forms", `form type "${type}" is unknown to the engine`, element);
}

/** `camunda:formKey` / `camunda:formRef` of a user task or start event. */
export function parseFormDefinition(ctx: ParseContext, element: XmlElement): void {
  const formKey = camundaAttr(element, "formKey");
  const formRef = camundaAttr(element, "formRef");
  if (formKey !== undefined && formRef !== undefined) {
    ctx.error("attribute-values", "camunda:formKey and camunda:formRef are both set; keep one", element);
  }
  if (formKey !== undefined) ctx.expression(formKey, element, "camunda:formKey");
  if (formRef === undefined) return;
  ctx.expression(formRef, element, "camunda:formRef");
  const binding = camundaAttr(element, "formRefBinding");
  if (binding === undefined || !["deployment", "latest", "version"].includes(binding)) {
    ctx.error(
      "attribute-values",
      `camunda:formRefBinding must be deployment, latest or version, not ${binding === undefined ? "missing" : `"${binding}"`}`,
      element,
    );
  }
  if (binding === "version") {
    const version = camundaAttr(element, "formRefVersion");
    if (version === undefined) {
      ctx.error("attribute-values", 'camunda:formRefBinding="version" needs camunda:formRefVersion', element);
    } else ctx.expression(version, element, "camunda:formRefVersion");
  }
}
