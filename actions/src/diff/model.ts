/**
 * Two versions of one model file (either may be missing) → the file's changes. A side that cannot be
 * read (not XML, wrong root) does not stop the review of the other files: the file carries a problem
 * sentence instead of changes.
 */
import { parseModel } from "#core/lint/parse.js";
import { buildSourceMap } from "#core/lint/source-map.js";
import { diffBpmn, listBpmn } from "./bpmn.js";
import { diffDmn, listDmn } from "./dmn.js";
import { formattingChange } from "./metadata.js";
import type { Change, FileDiff, ModelKind, TableView } from "./types.js";

export interface ModelVersions {
  file: string;
  kind: ModelKind;
  before: string | null;
  after: string | null;
  previousFile?: string;
}

class UnreadableModel extends Error {}

async function read(kind: ModelKind, text: string, side: string, file: string) {
  const map = buildSourceMap(text);
  if (map.error) {
    throw new UnreadableModel(
      `${file}:${map.error.line}:${map.error.column} (${side}) is not well-formed XML: ${map.error.message}; fix the file (or re-export it from the modeler)`,
    );
  }
  if (map.root?.local !== "definitions") {
    throw new UnreadableModel(
      `${file} (${side}) has no <definitions> root element; is it a ${kind.toUpperCase()} file?`,
    );
  }
  try {
    return (await parseModel(kind, text)).root;
  } catch (error) {
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    throw new UnreadableModel(`${file} (${side}) cannot be read as ${kind.toUpperCase()}: ${message}`);
  }
}

export async function diffModel(versions: ModelVersions): Promise<FileDiff> {
  const { file, kind, before, after } = versions;
  const status = before === null ? "added" : after === null ? "removed" : "changed";
  const result: FileDiff = {
    file,
    kind,
    status,
    layoutOnly: false,
    changes: [],
    sources: { before, after },
    ...(versions.previousFile ? { previousFile: versions.previousFile } : {}),
  };
  let changes: Change[] = [];
  let tables: TableView[] = [];
  try {
    const a = before === null ? null : await read(kind, before, "before", versions.previousFile ?? file);
    const b = after === null ? null : await read(kind, after, "after", file);
    if (kind === "bpmn") {
      if (a && b) changes = diffBpmn(a, b);
      else if (b) changes = listBpmn(b, "added");
      else if (a) changes = listBpmn(a, "removed");
    } else {
      const found = a && b ? diffDmn(a, b) : b ? listDmn(b, "added") : a ? listDmn(a, "removed") : null;
      changes = found?.changes ?? [];
      tables = found?.tables ?? [];
    }
    if (a && b && changes.length === 0 && before !== after && !versions.previousFile) {
      changes.push(formattingChange(b));
    }
  } catch (error) {
    if (!(error instanceof UnreadableModel)) throw error;
    result.problem = error.message;
    return result;
  }
  if (versions.previousFile) {
    changes.unshift({
      elementId: file,
      type: "changed",
      property: "file",
      before: versions.previousFile,
      after: file,
      migrationRelevant: false,
      message: `file renamed from ${versions.previousFile}; the engine sees a new resource name`,
      elementType: "file",
      elementName: null,
      container: null,
    });
  }
  result.changes = changes;
  if (tables.length > 0) result.tables = tables;
  result.layoutOnly = status === "changed" && changes.length > 0 && changes.every((c) => c.type === "layout");
  return result;
}
