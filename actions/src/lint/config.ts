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

/** The project's own settings live beside bpmnlint's keys, under "camunda-gitops". */
const projectSettings = z
  .object({
    maxFileBytes: z.number().int().positive().default(DEFAULT_MAX_FILE_BYTES),
    /** Path prefixes (relative to the repository root) of models that are never released: examples, tests. */
    notForRelease: z.array(z.string().min(1)).default([]),
    suppress: z.array(suppressionEntry).default([]),
  })
  .strict();

const configFile = z.object({
  extends: z.union([z.string(), z.array(z.string())]).optional(),
  rules: z.record(z.string(), z.unknown()).optional(),
  [PLUGIN_NAME]: projectSettings.optional(),
});

export type SuppressionEntry = z.infer<typeof suppressionEntry>;

export interface LintConfig {
  /** Path of the config file relative to the repository root, or null for the built-in default. */
  source: string | null;
  /** What bpmnlint's Linter gets: `extends` and `rules`. */
  bpmnlint: { extends?: string | string[]; rules?: Record<string, unknown> };
  settings: z.infer<typeof projectSettings>;
}

/** Used when there is no processes/.bpmnlintrc: bpmnlint's recommended rules plus the project's pack. */
export const DEFAULT_EXTENDS = ["bpmnlint:recommended", `plugin:${PLUGIN_NAME}/recommended`];

export async function loadConfig(file: string | null, root: string): Promise<LintConfig> {
  if (file === null) {
    return { source: null, bpmnlint: { extends: DEFAULT_EXTENDS }, settings: projectSettings.parse({}) };
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
    throw new UsageError(`lint: ${where} is not valid JSON (${(error as Error).message}); fix the file.`);
  }
  const parsed = configFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new UsageError(`lint: ${where}${at}: ${issue?.message ?? "invalid configuration"}; fix the file.`);
  }
  const { [PLUGIN_NAME]: settings, ...bpmnlint } = parsed.data;
  return { source: where, bpmnlint, settings: projectSettings.parse(settings ?? {}) };
}
