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
  const encoding = detectEncoding(bytes);
  if (!encoding.utf16 && bytes.subarray(0, 8192).includes(0)) {
    return fail("binary-file", "the file is binary, not XML; commit the .bpmn/.dmn XML the modeler saves");
  }
  let text: string;
  try {
    text = new TextDecoder(encoding.label, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    const unknown = error instanceof RangeError;
    return fail(
      "encoding",
      unknown
        ? `the file declares the encoding "${encoding.label}", which cannot be read; save it as UTF-8`
        : `the file is not valid ${encoding.label} text; save it as UTF-8 XML`,
    );
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

/**
 * The encoding as an XML parser determines it: a byte order mark, UTF-16 without one (recognised by
 * "<?" in two bytes), else the XML declaration's encoding, else UTF-8.
 */
function detectEncoding(bytes: Uint8Array): { label: string; utf16: boolean } {
  const [a, b, c, d] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { label: "utf-8", utf16: false };
  if (a === 0xff && b === 0xfe) return { label: "utf-16le", utf16: true };
  if (a === 0xfe && b === 0xff) return { label: "utf-16be", utf16: true };
  if (a === 0x3c && b === 0x00 && c === 0x3f && d === 0x00) return { label: "utf-16le", utf16: true };
  if (a === 0x00 && b === 0x3c && c === 0x00 && d === 0x3f) return { label: "utf-16be", utf16: true };
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  if (!declared || /^utf-?16/i.test(declared)) return { label: "utf-8", utf16: false };
  return { label: declared.toLowerCase(), utf16: false };
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
