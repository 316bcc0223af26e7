/**
 * Migration instructions declared in the repository, one file per process key:
 * `processes/migrations/<key>.yaml`. The engine generates the mapping for activities that keep their
 * id and type; this file adds what it cannot guess — renamed or moved activities, events whose changed
 * trigger must be recomputed, variables to set, and for a process removed from git, the process its
 * running instances move to.
 *
 *   # processes/migrations/insurance_process.yaml
 *   activities:                      # old id: new id
 *     Task_ReviewApplication: Task_UnderwriterReview
 *   updateEventTriggers:             # events whose timer or message changed
 *     - BoundaryEvent_ReviewOverdue
 *   variables:                       # set on every migrated instance
 *     reviewPolicy: "2026-11"
 *     riskModel: { value: 2, type: Integer }
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { UsageError } from "#core/util/errors.js";

const activityId = z.string().regex(/^[A-Za-z_][\w.-]*$/, "must be a BPMN element id");

const typedValue = z
  .object({
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
    type: z.enum(["String", "Integer", "Long", "Double", "Boolean", "Date", "Json", "Null"]),
  })
  .strict();

export const instructionsSchema = z
  .object({
    /** Only for a process removed from git: the key whose latest version its instances move to. */
    target: activityId.optional(),
    /** Source activity id → target activity id, for renamed or moved activities. */
    activities: z.record(activityId, activityId).default({}),
    /** Events (by id, either version's) whose trigger is recomputed on migration; true: every event. */
    updateEventTriggers: z.union([z.boolean(), z.array(activityId)]).default(false),
    /** Variables set on every migrated instance (in the process instance's scope). */
    variables: z
      .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), typedValue]))
      .default({}),
  })
  .strict();

export type DeclaredInstructions = z.infer<typeof instructionsSchema> & {
  /** The file, relative to the repository root. */
  file: string;
};

/** A variable as the REST API takes it. */
export interface VariableValue {
  value: string | number | boolean | null;
  type: string;
}

export function migrationsDir(processesDir: string): string {
  return path.join(processesDir, "migrations");
}

/** The variables of a file, typed the way the REST API wants them (plain values get their obvious type). */
export function typedVariables(declared: DeclaredInstructions | null): Record<string, VariableValue> {
  const out: Record<string, VariableValue> = {};
  for (const [name, value] of Object.entries(declared?.variables ?? {})) {
    if (typeof value === "object") out[name] = { value: value.value, type: value.type };
    else if (typeof value === "boolean") out[name] = { value, type: "Boolean" };
    else if (typeof value === "number") {
      const type = !Number.isInteger(value) ? "Double" : Math.abs(value) <= 2 ** 31 - 1 ? "Integer" : "Long";
      out[name] = { value, type };
    } else out[name] = { value, type: "String" };
  }
  return out;
}

/** True when the declared list (or `true`) asks for the event's trigger to be recomputed. */
export function updatesTrigger(declared: DeclaredInstructions | null, ...ids: string[]): boolean {
  const list = declared?.updateEventTriggers ?? false;
  if (typeof list === "boolean") return list;
  return ids.some((id) => list.includes(id));
}

/**
 * Reads `<processesDir>/migrations/<key>.yaml` (or .yml), or null when there is none. A file that is
 * not valid is a usage error naming the file, the line and the field.
 */
export function loadInstructions(
  processesDir: string,
  processesPath: string,
  key: string,
): DeclaredInstructions | null {
  const dir = migrationsDir(processesDir);
  const name = [`${key}.yaml`, `${key}.yml`].find((n) => existsSync(path.join(dir, n)));
  if (!name) return null;
  const file = `${processesPath}/migrations/${name}`;
  const text = readFileSync(path.join(dir, name), "utf8");
  const doc = parseDocument(text, { prettyErrors: false });
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? "" : `:${text.slice(0, offset).split("\n").length}`;
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    throw new UsageError(`${file}${lineAt(first.pos[0])}: not valid YAML: ${first.message.split("\n")[0]}.`);
  }
  const parsed = instructionsSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => {
      const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number] } | undefined;
      return `${file}${lineAt(node?.range?.[0])}: ${issue.path.join(".") || "(root)"}: ${issue.message}`;
    });
    throw new UsageError(
      `${file} is not a valid migration file (${details.length} problem(s)); fix the field(s) below.`,
      details,
    );
  }
  return { ...parsed.data, file };
}
