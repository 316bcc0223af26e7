import { errorMessage } from "#core/util/errors.js";
import { builtInConsequence } from "./consequences.js";
import { readSource } from "./input.js";
import { BPMN_NS, DMN_NAMESPACES, type ImportWarning, type ModdleElement, parseModel } from "./parse.js";
import { buildSourceMap, type SourceMap } from "./source-map.js";
import type { FileKind, Finding } from "./types.js";

/**
 * One model file. Read and SAX-mapped for every file first (the cross-file index comes from that pass),
 * then parsed by moddle once, linted, and released, so only one model tree is in memory at a time.
 */
export interface LoadedFile {
  absolute: string;
  /** Relative to the repository root. */
  path: string;
  kind: FileKind;
  /** The checked source text until the file is parsed. */
  text: string | null;
  sourceMap: SourceMap | null;
  root: ModdleElement | null;
  importWarnings: ImportWarning[];
  /** Problems that stop the file from being linted (not XML, DOCTYPE, …). */
  problems: Finding[];
}

const ROOTS: Record<FileKind, { namespaces: readonly string[]; expected: string }> = {
  bpmn: { namespaces: [BPMN_NS], expected: `<definitions> in the BPMN namespace ${BPMN_NS}` },
  dmn: { namespaces: DMN_NAMESPACES, expected: "<definitions> in a DMN 1.1, 1.2 or 1.3 namespace" },
};

export async function loadFile(
  absolute: string,
  relative: string,
  kind: FileKind,
  maxBytes: number,
): Promise<LoadedFile> {
  const loaded: LoadedFile = {
    absolute,
    path: relative,
    kind,
    text: null,
    sourceMap: null,
    root: null,
    importWarnings: [],
    problems: [],
  };
  const problem = (rule: string, line: number, column: number, message: string) => {
    loaded.problems.push({
      file: relative,
      line,
      column,
      elementId: null,
      rule,
      severity: "error",
      consequence: builtInConsequence(rule),
      message,
    });
    return loaded;
  };

  let source: Awaited<ReturnType<typeof readSource>>;
  try {
    source = await readSource(absolute, maxBytes);
  } catch (error) {
    return problem(
      "camunda-gitops/unreadable",
      1,
      1,
      `the file cannot be read (${errorMessage(error)}); check its permissions`,
    );
  }
  if (!source.ok)
    return problem(source.problem.rule, source.problem.line, source.problem.column, source.problem.message);

  // The element tree is built when the file is linted (parseLoaded), so that only one is held at a time.
  const sourceMap = buildSourceMap(source.text);
  loaded.sourceMap = sourceMap;
  if (sourceMap.error) {
    const { line, column, message } = sourceMap.error;
    return problem(
      "camunda-gitops/not-xml",
      line,
      column,
      `the file is not well-formed XML: ${message}; fix the XML (or re-export it from the modeler)`,
    );
  }
  if (sourceMap.tooManyAttributes) {
    const { line, column, name, count } = sourceMap.tooManyAttributes;
    return problem(
      "camunda-gitops/too-many-attributes",
      line,
      column,
      `<${name}> has ${count} attributes; the engine's XML parser refuses more than 10,000`,
    );
  }
  const root = sourceMap.root;
  if (root?.local !== "definitions" || !ROOTS[kind].namespaces.includes(root.uri)) {
    const found = root
      ? `<${root.name}>${root.uri ? ` in namespace ${root.uri}` : " without a namespace"}`
      : "nothing";
    return problem(
      "camunda-gitops/wrong-root",
      root?.end.line ?? 1,
      root?.end.column ?? 1,
      `the root element is ${found}, expected ${ROOTS[kind].expected}; is this the right file type?`,
    );
  }
  loaded.text = source.text;
  return loaded;
}

/** Second step: the moddle parse of a file that passed the first. */
export async function parseLoaded(loaded: LoadedFile): Promise<void> {
  if (loaded.text === null) return;
  // The second SAX pass of a BPMN file adds the element tree the engine-faithful rules read.
  if (loaded.kind === "bpmn") loaded.sourceMap = buildSourceMap(loaded.text, { tree: true });
  try {
    const parsed = await parseModel(loaded.kind, loaded.text);
    loaded.root = parsed.root;
    loaded.importWarnings = parsed.warnings;
  } catch (error) {
    loaded.problems.push({
      file: loaded.path,
      line: 1,
      column: 1,
      elementId: null,
      rule: "camunda-gitops/not-xml",
      severity: "error",
      consequence: "deploy",
      message: `the model cannot be read: ${errorMessage(error).split("\n")[0]}`,
    });
  } finally {
    loaded.text = null;
  }
}
