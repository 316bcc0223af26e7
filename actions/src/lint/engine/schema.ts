/**
 * What the engine's schema validation (BPMN 2.0 XSD) refuses before its parser runs, as far as it can
 * be told without a full schema validator: attributes without a namespace that the BPMN element does
 * not define, and references typed as XML IDREF that point at no id of the file. The element and
 * attribute vocabulary comes from bpmn-moddle's descriptors, which are generated from the same schema.
 */
import * as bpmnModdlePackage from "bpmn-moddle";
import type { EngineFinding } from "./context.js";
import { idOf } from "./context.js";
import { BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, descendants, type XmlElement, XSI_NS } from "./xml.js";

interface Property {
  name: string;
  type: string;
  isAttr?: boolean;
  isReference?: boolean;
  ns: { localName: string };
}

interface Registry {
  getEffectiveDescriptor(
    name: string,
  ): { properties: Property[]; allTypes: Array<{ name: string }> } | undefined;
  typeMap: Record<string, unknown>;
}

let registry: Registry | undefined;

function types(): Registry {
  if (!registry) {
    const BpmnModdle = (bpmnModdlePackage as unknown as { BpmnModdle: new () => { registry: Registry } })
      .BpmnModdle;
    registry = new BpmnModdle().registry;
  }
  return registry;
}

function descriptor(type: string): Property[] | null {
  if (!(type in types().typeMap)) return null;
  return types().getEffectiveDescriptor(type)?.properties ?? null;
}

function supertypes(type: string): Set<string> {
  if (!(type in types().typeMap)) return new Set();
  return new Set(
    types()
      .getEffectiveDescriptor(type)
      ?.allTypes.map((t) => t.name) ?? [],
  );
}

/**
 * The position of a child element in its parent's content model: the index of the property it fills
 * (by name, or by type for elements written by their type name such as <task>). The descriptors list
 * properties in the schema's sequence order, base type first.
 */
function sequenceIndex(properties: Property[], local: string, childType: string): number {
  const byName = properties.findIndex((p) => !p.isAttr && p.ns.localName === local);
  if (byName !== -1) return byName;
  const types_ = supertypes(childType);
  return properties.findIndex((p) => !p.isAttr && !p.isReference && types_.has(p.type));
}

/** Attribute of a type as the XML writes it (`sourceRef`), typed as XML IDREF in the schema. */
const IDREF_ATTRIBUTES: Record<string, readonly string[]> = {
  "bpmn:SequenceFlow": ["sourceRef", "targetRef"],
  "bpmn:ExclusiveGateway": ["default"],
  "bpmn:InclusiveGateway": ["default"],
  "bpmn:ComplexGateway": ["default"],
  "bpmn:DataObjectReference": ["dataObjectRef"],
};
/** Child elements whose text is an XML IDREF. */
const IDREF_ELEMENTS = new Set([
  "flowNodeRef",
  "dataInputRefs",
  "dataOutputRefs",
  "optionalInputRefs",
  "optionalOutputRefs",
  "whileExecutingInputRefs",
  "whileExecutingOutputRefs",
  "inputSetRefs",
  "outputSetRefs",
]);
const ACTIVITY_TYPES = /Task$|^bpmn:(SubProcess|Transaction|CallActivity|AdHocSubProcess)$/;

export function checkSchema(root: XmlElement): EngineFinding[] {
  const findings: EngineFinding[] = [];
  if (root.uri !== BPMN_NS) return findings;
  const ids = new Set<string>();
  for (const element of [root, ...descendants(root)]) {
    if (
      element.uri !== BPMN_NS &&
      element.uri !== BPMNDI_NS &&
      element.uri !== DC_NS &&
      element.uri !== DI_NS
    )
      continue;
    const id = element.attributes.find((a) => a.uri === "" && a.name === "id")?.value.trim();
    if (id !== undefined) ids.add(id);
  }
  const report = (element: XmlElement, message: string) =>
    findings.push({ rule: "schema", message, element, elementId: idOf(element) });

  const visit = (element: XmlElement, type: string) => {
    const properties = descriptor(type);
    if (!properties) return;
    const attributes = new Set(properties.filter((p) => p.isAttr).map((p) => p.ns.localName));
    for (const attribute of element.attributes) {
      if (attribute.uri !== "" || attribute.name === "xmlns" || attributes.has(attribute.name)) continue;
      report(
        element,
        `attribute "${attribute.name}" is not defined for <${element.tag}> in BPMN 2.0: the engine's schema validation refuses the file; remove it, or put it in the camunda namespace if it is a Camunda extension`,
      );
    }
    const references = [...(IDREF_ATTRIBUTES[type] ?? []), ...(ACTIVITY_TYPES.test(type) ? ["default"] : [])];
    for (const name of references) {
      const value = element.attributes.find((a) => a.uri === "" && a.name === name)?.value;
      if (value === undefined) {
        if (type === "bpmn:SequenceFlow")
          report(element, `sequence flow has no ${name}: the engine's schema validation refuses the file`);
        continue;
      }
      if (!ids.has(value.trim())) {
        report(
          element,
          `${name}="${value}" names no element of this file: the engine's schema validation refuses the file`,
        );
      }
    }
    let furthest = -1;
    let furthestChild: XmlElement | null = null;
    for (const child of element.children) {
      if (child.uri !== BPMN_NS) continue;
      const childTypeName = `bpmn:${child.local.charAt(0).toUpperCase()}${child.local.slice(1)}`;
      const index = sequenceIndex(properties, child.local, childTypeName);
      if (index !== -1 && index < furthest && furthestChild) {
        report(
          child,
          `<${child.tag}> comes after <${furthestChild.tag}>, but BPMN 2.0 puts it before: the engine's schema validation refuses the file; move it up`,
        );
      } else if (index > furthest) {
        furthest = index;
        furthestChild = child;
      }
      if (IDREF_ELEMENTS.has(child.local)) {
        const value = child.text.trim();
        if (value !== "" && !ids.has(value)) {
          report(
            child,
            `<${child.local}>${value}</${child.local}> names no element of this file: the engine's schema validation refuses the file`,
          );
        }
        continue;
      }
      const property = properties.find((p) => !p.isAttr && p.ns.localName === child.local);
      if (property?.isReference) continue;
      const xsiType = child.attributes.find((a) => a.uri === XSI_NS && a.local === "type")?.value;
      const named = `bpmn:${child.local.charAt(0).toUpperCase()}${child.local.slice(1)}`;
      const childType = xsiType
        ? `bpmn:${xsiType.slice(xsiType.indexOf(":") + 1).replace(/^t/, "")}`
        : (property?.type ?? named);
      if (childType.startsWith("bpmn:")) visit(child, childType);
    }
  };
  visit(root, "bpmn:Definitions");
  return findings;
}
