import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { errorMessage } from "#core/util/errors.js";
import type { TopicRegistry } from "./plugin/context.js";

/** Where the worker topic registry lives, relative to the repository root. */
export const DEFAULT_REGISTRY_FILE = "workers/src/registry.ts";

/**
 * How to obtain the topics: from the registry module (default), or a list given directly (tests,
 * other tools). `importModule` lets a bundled caller load the TypeScript module its own way.
 */
export type RegistrySource =
  | { file: string; topics: readonly string[] }
  | { file: string; importModule?: (absolutePath: string) => Promise<unknown> };

export type RegistryResult =
  | { ok: true; registry: TopicRegistry }
  | { ok: false; file: string; reason: string };

/** Loads the registry lazily: only a lint run needs the workers' code, and only its topic names. */
export async function loadRegistry(root: string, source: RegistrySource): Promise<RegistryResult> {
  const absolute = path.resolve(root, source.file);
  const file = path.relative(root, absolute).split(path.sep).join("/");
  const text = await readFile(absolute, "utf8").catch(() => null);
  if ("topics" in source) {
    return { ok: true, registry: { file, text, topics: new Set(source.topics) } };
  }
  if (text === null) return { ok: false, file, reason: `the topic registry ${file} does not exist` };
  let module: unknown;
  try {
    module = await (source.importModule ?? ((p: string) => import(pathToFileURL(p).href)))(absolute);
  } catch (error) {
    return {
      ok: false,
      file,
      reason: `the topic registry ${file} could not be loaded (${errorMessage(error)})`,
    };
  }
  const names = (module as { topicNames?: unknown }).topicNames;
  if (!Array.isArray(names) || !names.every((name) => typeof name === "string")) {
    return {
      ok: false,
      file,
      reason: `the topic registry ${file} does not export topicNames as a list of strings`,
    };
  }
  return { ok: true, registry: { file, text, topics: new Set(names) } };
}
