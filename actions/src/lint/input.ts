import { open, stat } from "node:fs/promises";
import { type Position, positionAt } from "./source-map.js";

/** Default upper bound for one BPMN/DMN file; real models are well below 1 MB. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

export type InputProblem = Position & { rule: string; message: string };

export type SourceText = { ok: true; text: string } | { ok: false; problem: InputProblem };

const start: Position = { line: 1, column: 1 };

/**
 * Reads one model file and rejects what must never reach an XML parser: oversized, empty or binary
 * content, and any DOCTYPE or entity declaration (checked on the raw text, so nothing an entity points at
 * is ever resolved or read).
 */
export async function readSource(file: string, maxBytes: number): Promise<SourceText> {
  const info = await stat(file);
  if (info.size > maxBytes) {
    return fail(
      "file-too-large",
      `the file is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit; split the model or raise camunda-gitops.maxFileBytes in processes/.bpmnlintrc`,
    );
  }
  const handle = await open(file, "r");
  let bytes: Buffer;
  try {
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  return checkText(bytes);
}

export function checkText(bytes: Uint8Array): SourceText {
  if (bytes.length === 0) return empty();
  if (bytes.subarray(0, 8192).includes(0)) {
    return fail("binary-file", "the file is binary, not XML; commit the .bpmn/.dmn XML the modeler saves");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail("binary-file", "the file is not valid UTF-8 text; save it as UTF-8 XML");
  }
  if (text.trim() === "") return empty();
  const declaration = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (declaration) {
    return {
      ok: false,
      problem: {
        ...positionAt(text, declaration.index),
        rule: "camunda-gitops/doctype",
        message: `the file declares a ${declaration[1]?.toUpperCase()}, which is refused (entities are never resolved); remove the declaration`,
      },
    };
  }
  return { ok: true, text };
}

function empty(): SourceText {
  return fail("empty-file", "the file is empty; add the model or delete the file");
}

function fail(rule: string, message: string): SourceText {
  return { ok: false, problem: { ...start, rule: `camunda-gitops/${rule}`, message } };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
