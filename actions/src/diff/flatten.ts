/**
 * One model element as a flat list of readable properties: `camunda:topic`, `camunda:asyncBefore`,
 * `timerEventDefinition.timeDuration`, `camunda:inputParameter[amount]`,
 * `camunda:executionListener[start].class`, `multiInstance.camunda:collection`. Two versions of an element
 * are then compared key by key, and every key that differs is one change a reviewer can read.
 *
 * The walk is driven by the moddle descriptors (bpmn-moddle / dmn-moddle with the Camunda extensions),
 * so every attribute and extension element the Camunda schema knows is compared, not a hand-kept list;
 * unknown attributes and extension elements of other namespaces are compared too (`@ns:name`).
 * Contained elements that have an identity of their own (flow elements in a sub-process, lanes) are
 * left out: they are compared on their own.
 */
import type { ModdleElement } from "#core/lint/parse.js";

export type PropertyMap = Map<string, string>;

interface Descriptor {
  name: string;
  ns: { name: string; prefix: string; localName: string };
  isMany?: boolean;
  isReference?: boolean;
  isBody?: boolean;
  default?: unknown;
}

export interface FlattenOptions {
  /** Contained elements with an identity of their own; the walk does not descend into them. */
  isOwnElement(element: ModdleElement): boolean;
  /** Qualified property names (`bpmn:incoming`) that are derived from others or carry no meaning. */
  skip: ReadonlySet<string>;
  /** The model's own namespace prefix (`bpmn`, `dmn`): its properties are shown without the prefix. */
  ownPrefix: string;
}

/** Containers that only group their children: their children are named as if they sat on the element. */
const TRANSPARENT = new Set([
  "bpmn:ExtensionElements",
  "camunda:InputOutput",
  "camunda:Properties",
  "camunda:FormData",
  "camunda:Map",
  "camunda:List",
]);

/** Shorter names for two BPMN constructs reviewers know under these words. */
const SEGMENT_NAMES: Record<string, string> = {
  "bpmn:MultiInstanceLoopCharacteristics": "multiInstance",
  "bpmn:StandardLoopCharacteristics": "loop",
};

/** The attribute that tells repeated extension elements apart, so a reordered list is no change. */
const ITEM_KEYS: Record<string, (item: ModdleElement) => string | undefined> = {
  "camunda:InputParameter": (i) => i.name,
  "camunda:OutputParameter": (i) => i.name,
  "camunda:Property": (i) => i.name,
  "camunda:Field": (i) => i.name,
  "camunda:Entry": (i) => i.key,
  "camunda:Constraint": (i) => i.name,
  "camunda:FormField": (i) => i.id,
  "camunda:Value": (i) => i.id,
  "camunda:ExecutionListener": (i) => i.event,
  "camunda:TaskListener": (i) => i.event,
  "camunda:In": (i) =>
    i.target ?? (i.variables ? "variables" : i.businessKey !== undefined ? "businessKey" : undefined),
  "camunda:Out": (i) => i.target ?? (i.variables ? "variables" : undefined),
  "camunda:ErrorEventDefinition": (i) => i.id,
  "dmn:InformationRequirement": (i) => (i.requiredDecision ?? i.requiredInput)?.href,
  "dmn:KnowledgeRequirement": (i) => i.requiredKnowledge?.href,
  "dmn:AuthorityRequirement": (i) => (i.requiredAuthority ?? i.requiredDecision ?? i.requiredInput)?.href,
};
/** Attributes used as item keys: already in the path, so not repeated as a property. */
const KEY_ATTRIBUTES: Record<string, string> = {
  "camunda:InputParameter": "name",
  "camunda:OutputParameter": "name",
  "camunda:Property": "name",
  "camunda:Field": "name",
  "camunda:Entry": "key",
  "camunda:Constraint": "name",
  "camunda:FormField": "id",
  "camunda:Value": "id",
  "camunda:ErrorEventDefinition": "id",
  "camunda:ExecutionListener": "event",
  "camunda:TaskListener": "event",
};

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** `camunda:ExecutionListener` → `camunda:executionListener`, `bpmn:TimerEventDefinition` → `timerEventDefinition`. */
export function typeSegment(type: string, ownPrefix: string): string {
  const named = SEGMENT_NAMES[type];
  if (named) return named;
  const colon = type.indexOf(":");
  const prefix = colon === -1 ? "" : type.slice(0, colon);
  const local = lowerFirst(type.slice(colon + 1));
  return prefix === "" || prefix === ownPrefix ? local : `${prefix}:${local}`;
}

/** `name` for the model's own properties and for a Camunda element's own attributes, `camunda:topic` for extension attributes. */
function propertyName(descriptor: Descriptor, ownPrefix: string, elementPrefix?: string): string {
  const prefix = descriptor.ns.prefix;
  return prefix === ownPrefix || prefix === elementPrefix ? descriptor.ns.localName : descriptor.ns.name;
}

function prefixOf(type: string): string {
  return type.slice(0, Math.max(0, type.indexOf(":")));
}

function join(prefix: string, segment: string): string {
  if (segment === "") return prefix;
  return prefix === "" ? segment : `${prefix}.${segment}`;
}

function referenceText(value: ModdleElement): string {
  if (value && typeof value === "object") return typeof value.id === "string" ? value.id : "?";
  return String(value);
}

function isElement(value: unknown): value is ModdleElement {
  return typeof value === "object" && value !== null && typeof (value as ModdleElement).$type === "string";
}

/** Flattens `element` (its own properties and its nested content) into `out`. */
export function flattenElement(element: ModdleElement, options: FlattenOptions): PropertyMap {
  const out: PropertyMap = new Map();
  walk(element, "", out, options, true);
  return out;
}

/** Defaults that tell a reviewer what a nested part is ("isSequential false": a parallel multi-instance). */
const KEEP_DEFAULT = new Set(["isSequential"]);

function walk(
  element: ModdleElement,
  prefix: string,
  out: PropertyMap,
  options: FlattenOptions,
  top: boolean,
  skipAttribute?: string,
): void {
  const descriptors: Descriptor[] = element.$descriptor?.properties ?? [];
  const sizeBefore = out.size;
  const transparent = !top && TRANSPARENT.has(element.$type);
  // A transparent container's own attributes (camunda:formData businessKey) still need its name.
  const attributePrefix = transparent ? join(prefix, typeSegment(element.$type, options.ownPrefix)) : prefix;
  for (const descriptor of descriptors) {
    const qualified = descriptor.ns.name;
    // Ids of nested parts (an event definition's) are generated by modelers and mean nothing to a reviewer.
    if (descriptor.name === "id") continue;
    if (descriptor.name === skipAttribute || descriptor.name.startsWith("$")) continue;
    if (options.skip.has(qualified)) continue;
    const value = element.get ? element.get(descriptor.name) : element[descriptor.name];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    // Defaults of nested parts say nothing ("isSequential false"); the element's own keep their effective value.
    if (
      !top &&
      descriptor.default !== undefined &&
      String(value) === String(descriptor.default) &&
      !KEEP_DEFAULT.has(descriptor.name)
    ) {
      continue;
    }
    const name = propertyName(descriptor, options.ownPrefix, top ? undefined : prefixOf(element.$type));

    if (descriptor.isReference) {
      const ids = (Array.isArray(value) ? value : [value]).map(referenceText);
      out.set(join(attributePrefix, name), ids.join(", "));
      continue;
    }
    if (descriptor.isBody) {
      // The text content of an element: `conditionExpression`, not `conditionExpression.body`.
      out.set(attributePrefix === "" ? name : attributePrefix, String(value));
      continue;
    }
    if (Array.isArray(value)) {
      walkList(value, descriptor, prefix, out, options);
      continue;
    }
    if (isElement(value)) {
      if (options.isOwnElement(value)) continue;
      const segment =
        descriptor.name === "extensionElements"
          ? ""
          : isTyped(descriptor, value)
            ? typeOf(value, options)
            : name;
      walk(value, join(prefix, segment), out, options, false);
      continue;
    }
    if (typeof value === "object") continue;
    out.set(join(attributePrefix, name), String(value));
  }
  // Attributes of namespaces the schemas do not know, and the content of unknown extension elements.
  const attrs: Record<string, unknown> = element.$attrs ?? {};
  for (const key of Object.keys(attrs)) {
    if (key === "xmlns" || key.startsWith("xmlns:") || key === "xsi:type" || key.startsWith("modeler:"))
      continue;
    out.set(join(attributePrefix, `@${key}`), String(attrs[key]));
  }
  if (typeof element.$body === "string" && element.$body.trim() !== "")
    out.set(prefix || "text", element.$body);
  if (Array.isArray(element.$children)) {
    walkList(element.$children, null, prefix, out, options);
  }
  // A nested part with nothing but defaults (`<timerEventDefinition/>`) is still there.
  if (!top && !transparent && out.size === sizeBefore && prefix !== "") out.set(prefix, "(present)");
}

/** A single contained element is named by its type when the property can hold several types (loopCharacteristics). */
function isTyped(descriptor: Descriptor, value: ModdleElement): boolean {
  return descriptor.name === "loopCharacteristics" || value.$type.startsWith("camunda:");
}

function typeOf(value: ModdleElement, options: FlattenOptions): string {
  return typeSegment(value.$type, options.ownPrefix);
}

function walkList(
  items: unknown[],
  descriptor: Descriptor | null,
  prefix: string,
  out: PropertyMap,
  options: FlattenOptions,
): void {
  const seen = new Map<string, number>();
  const primitives: string[] = [];
  for (const item of items) {
    if (!isElement(item)) {
      if (item !== undefined && item !== null) primitives.push(String(item));
      continue;
    }
    if (options.isOwnElement(item)) continue;
    if (TRANSPARENT.has(item.$type)) {
      walk(item, prefix, out, options, false);
      continue;
    }
    const type = item.$type;
    const base =
      descriptor && (descriptor.name === "documentation" || !type.includes(":"))
        ? propertyName(descriptor, options.ownPrefix)
        : typeOf(item, options);
    const key = ITEM_KEYS[type]?.(item);
    const label = key === undefined ? base : `${base}[${key}]`;
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    const segment = count === 1 ? label : `${label}#${count}`;
    walk(item, join(prefix, segment), out, options, false, KEY_ATTRIBUTES[type]);
  }
  if (primitives.length > 0 && descriptor) {
    out.set(join(prefix, propertyName(descriptor, options.ownPrefix)), primitives.join(", "));
  }
}

/** The keys of `map` under `segment` (the segment itself and everything below it). */
export function keysUnder(map: PropertyMap, segment: string): string[] {
  return [...map.keys()].filter((key) => key === segment || key.startsWith(`${segment}.`));
}
