import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isMap, parseDocument } from "yaml";
import { UsageError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";
import { type EnvironmentConfig, environmentSchema } from "./schema.js";

/** Where a checkout keeps its environment files. */
export function environmentsDir(root: string): string {
  return path.join(root, "environments");
}

/** Names of the environments that have a file in `dir`, sorted. */
export function listEnvironments(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") && !f.startsWith("_"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

export interface LoadedEnvironment {
  config: EnvironmentConfig;
  file: string;
}

/**
 * Loads and validates `<dir>/<name>.yaml` (dir: environmentsDir(root)). Every problem is a UsageError (exit 2) that names
 * the file, the line and the field. `CAMUNDA_URL` in the process environment overrides camunda.restUrl
 * (for tests and one-off runs) and is validated by the same rules.
 */
export function loadEnvironment(
  name: string,
  options: { dir: string; env?: NodeJS.ProcessEnv },
): LoadedEnvironment {
  const dir = options.dir;
  const env = options.env ?? process.env;
  const known = listEnvironments(dir);
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(name) || !known.includes(name)) {
    throw new UsageError(
      `unknown environment "${name}": there is no ${displayPath(path.join(dir, `${name}.yaml`))}; choose one of ${known.join(", ") || "(none)"}.`,
    );
  }
  const file = path.join(dir, `${name}.yaml`);
  const shown = displayPath(file);
  const text = readFileSync(file, "utf8");
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    // linePos is only filled with prettyErrors; the offset is always there.
    const line = first.linePos?.[0]?.line ?? text.slice(0, first.pos[0]).split("\n").length;
    throw new UsageError(
      `${shown}${line ? `:${line}` : ""}: not valid YAML: ${first.message.split("\n")[0]}.`,
    );
  }
  const raw = doc.toJS() as unknown;
  if (raw && typeof raw === "object" && env.CAMUNDA_URL) {
    const camunda = (raw as { camunda?: Record<string, unknown> }).camunda;
    if (camunda && typeof camunda === "object") camunda.restUrl = env.CAMUNDA_URL;
  }
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => {
      const field = issue.path.join(".") || "(root)";
      const line = lineOf(text, doc, issue.path as (string | number)[]);
      // A bad key of a map (a user or group id): say what is wrong with it, not only that it is.
      const message =
        issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
      return `${shown}${line ? `:${line}` : ""}: ${field}: ${message}`;
    });
    throw new UsageError(
      `${shown} is not a valid environment file (${details.length} problem(s)); fix the field(s) below.`,
      details,
    );
  }
  if (parsed.data.name !== name) {
    throw new UsageError(
      `${shown}: name: is "${parsed.data.name}" but the file is ${name}.yaml; make them equal.`,
    );
  }
  return { config: parsed.data, file };
}

function lineOf(
  text: string,
  doc: ReturnType<typeof parseDocument>,
  fieldPath: (string | number)[],
): number | undefined {
  // Walk up the path until a node exists (a missing field is reported on its parent's line).
  for (let depth = fieldPath.length; depth >= 0; depth--) {
    const node = doc.getIn(fieldPath.slice(0, depth), true) as
      | { range?: [number, number, number] }
      | undefined;
    const target = depth === 0 ? doc.contents : node;
    const range = (target as { range?: [number, number, number] } | null)?.range;
    if (range && (depth > 0 || isMap(doc.contents))) {
      return text.slice(0, range[0]).split("\n").length;
    }
  }
  return undefined;
}
