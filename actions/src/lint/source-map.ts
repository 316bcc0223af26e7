import { SaxesParser, type SaxesTagPlain } from "saxes";
import {
  ACTIVITI_NS,
  CAMUNDA_NS,
  XML_NS,
  XMLNS_NS,
  type XmlAttribute,
  type XmlElement,
} from "./engine/xml.js";

export interface Position {
  line: number;
  column: number;
}

/** An XML comment and the element it precedes, for suppressions written next to an element. */
export interface SourceComment extends Position {
  text: string;
  /** Id of the first element with an id that starts after the comment, if any. */
  nextElementId: string | null;
  /** True when the comment comes before the root element. */
  beforeRoot: boolean;
}

/** What other files may refer to, read from the SAX pass so the cross-file index needs no parsed models. */
export interface Declarations {
  /** Ids of top-level <process> (BPMN) or <decision> (DMN) elements. */
  processes: string[];
  decisions: string[];
  /** camunda:topic values of camunda:type="external" elements, expressions excluded. */
  topics: Array<{ topic: string; elementId: string }>;
}

const CAMUNDA_NAMESPACES = new Set([CAMUNDA_NS, ACTIVITI_NS]);

/** The XML parser in the engine's JDK refuses an element with more attributes than this. */
export const MAX_ATTRIBUTES = 10_000;

export interface SourceMap {
  declarations: Declarations;
  /** The root element: `position` where its start tag begins, `end` just after it (the engine's position). */
  root: { name: string; local: string; uri: string; position: Position; end: Position } | null;
  /** Every occurrence of every id attribute, in document order (duplicates keep all positions). */
  ids: Map<string, Position[]>;
  comments: SourceComment[];
  /** First well-formedness error, if the text is not XML. */
  error: (Position & { message: string }) | null;
  /** The element tree with namespaces and positions, when asked for (`{ tree: true }`). */
  tree: XmlElement | null;
  /** The first element with more attributes than the engine's parser accepts. */
  tooManyAttributes: (Position & { name: string; count: number }) | null;
}

/** Thrown inside the SAX handlers to stop at the first well-formedness error. */
class StopParsing extends Error {}

/**
 * One SAX pass over the original text: where each id is (moddle keeps no positions), the root element,
 * the comments that may carry suppressions, the first well-formedness error and, on request, the
 * element tree the engine-faithful rules read. The caller has already rejected DOCTYPEs, so no entity
 * can be declared, let alone resolved.
 */
export function buildSourceMap(text: string, options: { tree?: boolean } = {}): SourceMap {
  const map: SourceMap = {
    declarations: { processes: [], decisions: [], topics: [] },
    root: null,
    ids: new Map(),
    comments: [],
    error: null,
    tree: null,
    tooManyAttributes: null,
  };
  const lines = lineStarts(text);
  const at = (offset: number): Position => positionIn(lines, offset);
  // Message events carry their topic on the event definition; the finding belongs to the event.
  const openIds: Array<string | undefined> = [];
  // Namespaces are resolved here rather than by saxes: markedly faster, and only a few are needed.
  const scopes: Array<Map<string, string>> = [new Map([["xml", XML_NS]])];
  const open: XmlElement[] = [];
  const parser = new SaxesParser({ xmlns: false, position: true });
  const pendingComments: SourceComment[] = [];
  let depth = 0;
  let tagStart: Position = { line: 1, column: 1 };

  parser.on("opentagstart", () => {
    // saxes is past the name and the character after it; the tag starts at the last "<" before that.
    tagStart = at(Math.max(0, text.lastIndexOf("<", parser.position - 1)));
  });
  parser.on("opentag", (tag: SaxesTagPlain) => {
    const attributes = tag.attributes as Record<string, string>;
    const names = Object.keys(attributes);
    if (names.length > MAX_ATTRIBUTES && map.tooManyAttributes === null) {
      map.tooManyAttributes = { ...tagStart, name: tag.name, count: names.length };
    }
    let scope = scopes[scopes.length - 1] as Map<string, string>;
    for (const name of names) {
      if (name === "xmlns" || name.startsWith("xmlns:")) {
        if (scope === scopes[scopes.length - 1]) scope = new Map(scope);
        scope.set(name === "xmlns" ? "" : name.slice(6), attributes[name] ?? "");
      }
    }
    scopes.push(scope);
    const colon = tag.name.indexOf(":");
    const prefix = colon === -1 ? "" : tag.name.slice(0, colon);
    const local = tag.name.slice(colon + 1);
    const uri = scope.get(prefix) ?? "";
    if (depth === 0 && map.root === null) {
      map.root = { name: tag.name, local, uri, position: tagStart, end: at(parser.position) };
    }
    const value = attributes.id;
    collectDeclaration(tag, local, scope, depth, value, openIds);
    if (options.tree) {
      const element: XmlElement = {
        name: tag.name,
        uri,
        local,
        tag: uri === "" ? tag.name : local,
        attributes: names.map((name) => attribute(name, attributes[name] ?? "", scope)),
        children: [],
        parent: open[open.length - 1] ?? null,
        text: "",
        start: tagStart,
        // saxes stands just after ">"; the engine's parser reports the column after it, 1-based.
        end: at(parser.position),
      };
      if (element.parent) element.parent.children.push(element);
      else map.tree = element;
      open.push(element);
    }
    // saxes emits closetag for self-closing tags too, so every open tag is balanced by a close.
    depth++;
    openIds.push(value);
    if (value !== undefined) {
      const positions = map.ids.get(value);
      if (positions) positions.push(tagStart);
      else map.ids.set(value, [tagStart]);
      for (const comment of pendingComments.splice(0)) comment.nextElementId = value;
    }
  });
  parser.on("closetag", () => {
    depth--;
    openIds.pop();
    scopes.pop();
    if (options.tree) open.pop();
  });
  if (options.tree) {
    const append = (chunk: string) => {
      const current = open[open.length - 1];
      if (current) current.text += chunk;
    };
    parser.on("text", append);
    parser.on("cdata", append);
  }

  function collectDeclaration(
    tag: SaxesTagPlain,
    local: string,
    scope: Map<string, string>,
    level: number,
    id: string | undefined,
    parents: Array<string | undefined>,
  ) {
    if (level === 1 && id !== undefined) {
      if (local === "process") map.declarations.processes.push(id);
      else if (local === "decision") map.declarations.decisions.push(id);
    }
    let topic: string | undefined;
    let type: string | undefined;
    for (const name in tag.attributes) {
      // Only ":topic" and ":type" matter; look at the prefix only for those.
      const isTopic = name.endsWith(":topic");
      if (!isTopic && !name.endsWith(":type")) continue;
      if (!CAMUNDA_NAMESPACES.has(scope.get(name.slice(0, name.indexOf(":"))) ?? "")) continue;
      const value = (tag.attributes as Record<string, string>)[name] ?? "";
      if (isTopic) topic = value.trim();
      else type = value;
    }
    if (!topic || type !== "external" || /^[$#]\{/.test(topic)) return;
    const owner = local === "messageEventDefinition" ? parents[parents.length - 1] : id;
    map.declarations.topics.push({ topic, elementId: owner ?? "" });
  }
  parser.on("comment", (commentText) => {
    const comment: SourceComment = {
      text: commentText,
      line: parser.line,
      column: parser.column,
      nextElementId: null,
      beforeRoot: map.root === null,
    };
    map.comments.push(comment);
    pendingComments.push(comment);
  });
  parser.on("error", (error) => {
    // saxes notices text before any root element only at the end; point at where that text starts.
    const position =
      map.root === null && /outside of root/.test(error.message)
        ? positionAt(text, Math.max(0, text.search(/\S/)))
        : { line: parser.line, column: Math.max(1, parser.column) };
    map.error = { ...position, message: cleanSaxMessage(error.message) };
    throw new StopParsing();
  });

  try {
    parser.write(text).close();
  } catch (error) {
    if (!(error instanceof StopParsing)) throw error;
  }
  return map;
}

function attribute(name: string, value: string, scope: Map<string, string>): XmlAttribute {
  const colon = name.indexOf(":");
  if (colon === -1) return { name, uri: name === "xmlns" ? XMLNS_NS : "", local: name, value };
  const prefix = name.slice(0, colon);
  const uri = prefix === "xmlns" ? XMLNS_NS : (scope.get(prefix) ?? "");
  return { name, uri, local: name.slice(colon + 1), value };
}

/** Offsets at which each line starts, for positions in O(log n). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function positionIn(starts: readonly number[], offset: number): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
}

function cleanSaxMessage(message: string): string {
  // saxes prefixes "line:column: "; the finding carries the position separately.
  return message.replace(/^\d+:\d+: /, "").replace(/\.$/, "");
}

/** Maps a character offset to a 1-based line and column. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
