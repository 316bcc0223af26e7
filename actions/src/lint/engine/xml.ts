import type { Position } from "../source-map.js";

export const BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL";
export const BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI";
export const DC_NS = "http://www.omg.org/spec/DD/20100524/DC";
export const DI_NS = "http://www.omg.org/spec/DD/20100524/DI";
export const CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn";
/** The engine reads the Activiti namespace as an alternative spelling of Camunda's. */
export const ACTIVITI_NS = "http://activiti.org/bpmn";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
export const XMLNS_NS = "http://www.w3.org/2000/xmlns/";
export const XML_NS = "http://www.w3.org/XML/1998/namespace";

export interface XmlAttribute {
  /** As written, with its prefix. */
  name: string;
  uri: string;
  local: string;
  value: string;
}

/**
 * One element as the engine's own XML reader sees it: BPMN elements are matched by local name in any
 * namespace, Camunda extensions by namespace (or the Activiti one), attributes by name or namespace.
 */
export interface XmlElement {
  /** Qualified name as written. */
  name: string;
  uri: string;
  local: string;
  /** The engine's tag name: the local name when the element has a namespace, else the written name. */
  tag: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  parent: XmlElement | null;
  /** Character data directly inside the element (CDATA included), not its descendants'. */
  text: string;
  /** Where the start tag begins (`<`). */
  start: Position;
  /** Just after the start tag's `>`: where the engine's parser reports an element. */
  end: Position;
}

/** The element's attribute without a namespace, as `Element.attribute(name)`. */
export function attr(element: XmlElement, name: string): string | undefined {
  for (const a of element.attributes) if (a.uri === "" && a.name === name) return a.value;
  return undefined;
}

/** A Camunda attribute (`camunda:name`, or `activiti:name` when there is no Camunda one). */
export function camundaAttr(element: XmlElement, name: string): string | undefined {
  let alternative: string | undefined;
  for (const a of element.attributes) {
    if (a.local !== name) continue;
    if (a.uri === CAMUNDA_NS) return a.value;
    if (a.uri === ACTIVITI_NS) alternative = a.value;
  }
  return alternative;
}

export function nsAttr(element: XmlElement, uri: string, name: string): string | undefined {
  for (const a of element.attributes) if (a.uri === uri && a.local === name) return a.value;
  return undefined;
}

/** Children with this tag name, whatever their namespace (`Element.elements(tagName)`). */
export function children(element: XmlElement, tag: string): XmlElement[] {
  return element.children.filter((c) => c.tag === tag);
}

/** The first child with this tag name. The engine refuses several where it expects one; rules say so. */
export function child(element: XmlElement, tag: string): XmlElement | undefined {
  return element.children.find((c) => c.tag === tag);
}

/** Camunda extension children (Camunda namespace first, else the Activiti one), as `elementsNS`. */
export function camundaChildren(element: XmlElement, local: string): XmlElement[] {
  const camunda = element.children.filter((c) => c.uri === CAMUNDA_NS && c.local === local);
  if (camunda.length > 0) return camunda;
  return element.children.filter((c) => c.uri === ACTIVITI_NS && c.local === local);
}

export function camundaChild(element: XmlElement, local: string): XmlElement | undefined {
  return camundaChildren(element, local)[0];
}

/** `<extensionElements>` then a Camunda extension inside it. */
export function extension(element: XmlElement, local: string): XmlElement | undefined {
  const extensions = child(element, "extensionElements");
  return extensions ? camundaChild(extensions, local) : undefined;
}

export function extensions(element: XmlElement, local: string): XmlElement[] {
  const holder = child(element, "extensionElements");
  return holder ? camundaChildren(holder, local) : [];
}

const flattened = new WeakMap<XmlElement, XmlElement[]>();

/** Every element below this one, depth first, in document order (computed once per element). */
export function descendants(element: XmlElement): XmlElement[] {
  let all = flattened.get(element);
  if (!all) {
    all = [];
    const stack = [...element.children].reverse();
    while (stack.length > 0) {
      const next = stack.pop() as XmlElement;
      all.push(next);
      for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i] as XmlElement);
    }
    flattened.set(element, all);
  }
  return all;
}

export function isCamunda(element: XmlElement): boolean {
  return element.uri === CAMUNDA_NS || element.uri === ACTIVITI_NS;
}
