/**
 * Small JSON files the tools keep between runs (an engine's state, what `up` started, the last
 * upload): read against a schema, written whole through a temporary file and a rename, so a reader —
 * another process included — never sees half a file.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";

export type JsonRead<T> = { ok: true; value: T } | { ok: false; reason: "missing" | "invalid" };

/** The file's content when it exists, is JSON and fits the schema. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S): JsonRead<z.output<S>> {
  if (!existsSync(file)) return { ok: false, reason: "missing" };
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: "invalid" };
  } catch {
    return { ok: false, reason: "invalid" };
  }
}

/** Writes `value` as indented JSON; `mode` 0o600 for files that hold a secret. */
export function writeJsonFile(file: string, value: unknown, options: { mode?: number } = {}): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: options.mode ?? 0o644 });
  if (options.mode !== undefined) chmodSync(temporary, options.mode);
  renameSync(temporary, file);
}
