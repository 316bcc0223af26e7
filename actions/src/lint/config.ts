import { readFile } from "node:fs/promises";
import { z } from "zod";
import { UsageError } from "#core/util/errors.js";
import { relativePath } from "#core/util/paths.js";
import { DEFAULT_MAX_FILE_BYTES } from "./input.js";
import { PLUGIN_NAME } from "./plugin/index.js";

const suppressionEntry = z.object({
  file: z.string().min(1),
  elementId: z.string().min(1).optional(),
  rule: z.string().min(1),
  reason: z.string().trim().min(1, "a suppression needs a reason"),
});

/**
 * An allow-list entry for code inside a process. Every field is optional here so that an incomplete
 * entry is reported as a finding (it then waives nothing) rather than stopping the whole lint.
 */
const allowCodeEntry = z.object({
  file: z.string().optional(),
  elementId: z.string().optional(),
  /** One of the code-policy rules; absent: every code-policy rule on that element. */
  rule: z.string().optional(),
  reason: z.string().optional(),
});

/** The project's own settings live beside bpmnlint's keys, under "camunda-gitops". */
const projectSettings = z
  .object({
    maxFileBytes: z.number().int().positive().default(DEFAULT_MAX_FILE_BYTES),
    /** Path prefixes (relative to the repository root) of models that are never released: examples, tests. */
    notForRelease: z.array(z.string().min(1)).default([]),
    suppress: z.array(suppressionEntry).default([]),
    allowCode: z.array(allowCodeEntry).default([]),
  })
  .strict();

const configFile = z.object({
  extends: z.union([z.string(), z.array(z.string())]).optional(),
  rules: z.record(z.string(), z.unknown()).optional(),
  [PLUGIN_NAME]: projectSettings.optional(),
});

export type SuppressionEntry = z.infer<typeof suppressionEntry>;
export type AllowCodeEntry = z.infer<typeof allowCodeEntry>;

export interface LintConfig {
  /** Path of the config file relative to the repository root, or null for the built-in default. */
  source: string | null;
  /** What bpmnlint's Linter gets: `extends` and `rules`. */
  bpmnlint: { extends?: string | string[]; rules?: Record<string, unknown> };
  settings: z.infer<typeof projectSettings>;
  /** Line of each allowCode entry in the config file, for findings about the entries. */
  allowCodeLines: number[];
}

/** Used when there is no processes/.bpmnlintrc: bpmnlint's recommended rules plus the project's pack. */
export const DEFAULT_EXTENDS = ["bpmnlint:recommended", `plugin:${PLUGIN_NAME}/recommended`];

export async function loadConfig(file: string | null, root: string): Promise<LintConfig> {
  if (file === null) {
    return {
      source: null,
      bpmnlint: { extends: DEFAULT_EXTENDS },
      settings: projectSettings.parse({}),
      allowCodeLines: [],
    };
  }
  const where = relativePath(root, file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new UsageError(
      `lint: cannot read the configuration ${where}; create it or pass --config with an existing file.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // Never echo the file: JSON.parse's message quotes it, and --config may point at anything.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    const where_ = at === undefined ? "" : ` at line ${text.slice(0, Number(at)).split("\n").length}`;
    throw new UsageError(`lint: ${where} is not valid JSON${where_}; pass a bpmnlint configuration file.`);
  }
  const parsed = configFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    // zod's message names the expected shape, never the file's content.
    throw new UsageError(`lint: ${where}${at}: ${issue?.message ?? "invalid configuration"}; fix the file.`);
  }
  const { [PLUGIN_NAME]: settings, ...bpmnlint } = parsed.data;
  const project = projectSettings.parse(settings ?? {});
  return {
    source: where,
    bpmnlint,
    settings: project,
    allowCodeLines: entryLines(text, "allowCode", project.allowCode.length),
  };
}

/** Line of each object in the array under `key` (the first such key), for pointing at entries. */
function entryLines(text: string, key: string, count: number): number[] {
  const lines: number[] = [];
  const start = text.indexOf(`"${key}"`);
  if (start === -1) return Array.from({ length: count }, () => 1);
  let depth = 0;
  let inString = false;
  for (let i = text.indexOf("[", start); i !== -1 && i < text.length && lines.length < count; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      if (c === "{" && depth === 1) lines.push(text.slice(0, i).split("\n").length);
      depth++;
    } else if (c === "]" || c === "}") {
      depth--;
      if (depth === 0) break;
    }
  }
  while (lines.length < count) lines.push(1);
  return lines;
}
