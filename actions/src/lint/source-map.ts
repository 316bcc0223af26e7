import { SaxesParser, type SaxesTagPlain } from "saxes";

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

const CAMUNDA_BPMN_NS = "http://camunda.org/schema/1.0/bpmn";

export interface SourceMap {
  declarations: Declarations;
  root: { name: string; local: string; uri: string; position: Position } | null;
  /** Every occurrence of every id attribute, in document order (duplicates keep all positions). */
  ids: Map<string, Position[]>;
  comments: SourceComment[];
  /** First well-formedness error, if the text is not XML. */
  error: (Position & { message: string }) | null;
}

/** Thrown inside the SAX handlers to stop at the first well-formedness error. */
class StopParsing extends Error {}

/**
 * One SAX pass over the original text: where each id is (moddle keeps no positions), the root element,
 * the comments that may carry suppressions, and the first well-formedness error. The caller has
 * already rejected DOCTYPEs, so no entity can be declared, let alone resolved.
 */
export function buildSourceMap(text: string): SourceMap {
  const map: SourceMap = {
    declarations: { processes: [], decisions: [], topics: [] },
    root: null,
    ids: new Map(),
    comments: [],
    error: null,
  };
  let camundaPrefix: string | null = null;
  // Message events carry their topic on the event definition; the finding belongs to the event.
  const openIds: Array<string | undefined> = [];
  // Without xmlns processing saxes is markedly faster; only the root's namespace matters, resolved below.
  const parser = new SaxesParser({ xmlns: false, position: true });
  const pendingComments: SourceComment[] = [];
  let depth = 0;
  let tagStart: Position = { line: 1, column: 1 };

  parser.on("opentagstart", (tag) => {
    // saxes reports the position after the tag name and its terminating character.
    tagStart = { line: parser.line, column: Math.max(1, parser.column - tag.name.length - 1) };
  });
  parser.on("opentag", (tag: SaxesTagPlain) => {
    if (depth === 0 && map.root === null) {
      const colon = tag.name.indexOf(":");
      const prefix = colon === -1 ? "" : tag.name.slice(0, colon);
      const uri = tag.attributes[prefix === "" ? "xmlns" : `xmlns:${prefix}`] ?? "";
      map.root = { name: tag.name, local: tag.name.slice(colon + 1), uri, position: tagStart };
      for (const [name, value] of Object.entries(tag.attributes)) {
        if (name.startsWith("xmlns:") && value === CAMUNDA_BPMN_NS)
          camundaPrefix = name.slice("xmlns:".length);
      }
    }
    const value = tag.attributes.id;
    collectDeclaration(tag, depth, value, openIds);
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
  });

  function collectDeclaration(
    tag: SaxesTagPlain,
    level: number,
    id: string | undefined,
    parents: Array<string | undefined>,
  ) {
    const local = tag.name.slice(tag.name.indexOf(":") + 1);
    if (level === 1 && id !== undefined) {
      if (local === "process") map.declarations.processes.push(id);
      else if (local === "decision") map.declarations.decisions.push(id);
    }
    if (camundaPrefix === null) return;
    const topic = tag.attributes[`${camundaPrefix}:topic`]?.trim();
    if (!topic || tag.attributes[`${camundaPrefix}:type`] !== "external" || /^[$#]\{/.test(topic)) return;
    const owner = local === "messageEventDefinition" ? parents[parents.length - 1] : id;
    map.declarations.topics.push({ topic, elementId: owner ?? "" });
  }
  parser.on("comment", (text) => {
    const comment: SourceComment = {
      text,
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
