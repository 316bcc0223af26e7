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

export interface SourceMap {
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
  const map: SourceMap = { root: null, ids: new Map(), comments: [], error: null };
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
    }
    if (!tag.isSelfClosing) depth++;
    const value = tag.attributes.id;
    if (value !== undefined) {
      const positions = map.ids.get(value);
      if (positions) positions.push(tagStart);
      else map.ids.set(value, [tagStart]);
      for (const comment of pendingComments.splice(0)) comment.nextElementId = value;
    }
  });
  parser.on("closetag", () => {
    depth--;
  });
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
