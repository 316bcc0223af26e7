/**
 * Option rules shared by the CLI verbs and the GitHub Actions: one zod schema per verb, keyed by the
 * option's name as both spell it (`--part-size-mib`, input `part-size-mib`), so a default or a bound
 * exists once and both adapters refuse the same values with the same sentence. Raw values are what
 * the adapters read: strings (an action's unset input is ""), booleans from CLI flags, or nothing.
 */
import { z } from "zod";
import { UsageError } from "#core/util/errors.js";

export type RawValue = string | boolean | undefined;
export type RawOptions = Readonly<Record<string, RawValue>>;

/** How an adapter names an option in a message: `deploy: --if-active` / `input if-active`. */
export interface OptionNames {
  /** The option as the subject of a sentence. */
  subject(name: string): string;
  /** The option mentioned inside a sentence. */
  mention(name: string): string;
  /** Where to read more, appended to the sentence. */
  hint?: string;
}

/** `spelled` maps a schema name to the CLI's own spelling where they differ (environment → env). */
export function cliNames(verb: string, spelled: Readonly<Record<string, string>> = {}): OptionNames {
  const flag = (name: string) => `--${spelled[name] ?? name}`;
  return {
    subject: (name) => `${verb}: ${flag(name)}`,
    mention: flag,
    hint: `see \`camunda-gitops ${verb} --help\``,
  };
}

export const actionInputNames: OptionNames = {
  subject: (name) => `input ${name}`,
  mention: (name) => `input ${name}`,
};

// Every rule starts with `.optional().default("")`: an option that is absent (a CLI flag not given)
// then reaches its transform as blank, which applies the rule's default.
const blank = (value: unknown) => value === undefined || value === null || value === "";
const shown = (value: unknown) => JSON.stringify(typeof value === "string" ? value.trim() : String(value));

function listed(values: readonly string[]): string {
  return values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(", ")}`;
}

function toWholeNumber(value: RawValue, rule: { min: number; max?: number }): number | string {
  const bound = rule.max === undefined ? `≥ ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  const parsed = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < rule.min || (rule.max !== undefined && parsed > rule.max))
    return `must be a whole number ${bound}, got ${shown(value)}`;
  return parsed;
}

/** A whole number within bounds; blank means the default. */
export function wholeNumber(rule: { min: number; max?: number; default: number }) {
  return z
    .custom<RawValue>()
    .optional()
    .default("")
    .transform((value, ctx): number => {
      if (blank(value)) return rule.default;
      const result = toWholeNumber(value, rule);
      if (typeof result === "number") return result;
      ctx.addIssue({ code: "custom", message: result });
      return z.NEVER;
    });
}

/** A whole number within bounds, or nothing (the caller decides what nothing means). */
export function optionalWholeNumber(rule: { min: number; max?: number }) {
  return z
    .custom<RawValue>()
    .optional()
    .default("")
    .transform((value, ctx): number | undefined => {
      if (blank(value)) return undefined;
      const result = toWholeNumber(value, rule);
      if (typeof result === "number") return result;
      ctx.addIssue({ code: "custom", message: result });
      return z.NEVER;
    })
    .optional();
}

/** One of a few words; `caseInsensitive` accepts any case and yields the listed spelling. */
export function choice<const T extends string>(
  values: readonly T[],
  rule: { default: T; caseInsensitive?: boolean },
) {
  return z
    .custom<RawValue>()
    .optional()
    .default("")
    .transform((value, ctx): T => {
      if (blank(value)) return rule.default;
      const text = String(value).trim();
      const found = values.find((v) =>
        rule.caseInsensitive ? v.toLowerCase() === text.toLowerCase() : v === text,
      );
      if (found === undefined) {
        ctx.addIssue({ code: "custom", message: `must be ${listed(values)}, got ${shown(value)}` });
        return z.NEVER;
      }
      return found;
    });
}

/** One of a few words, or nothing (the caller decides what nothing means). */
export function optionalChoice<const T extends string>(values: readonly T[]) {
  return z
    .custom<RawValue>()
    .optional()
    .default("")
    .transform((value, ctx): T | undefined => {
      if (blank(value)) return undefined;
      const found = values.find((v) => v === String(value).trim());
      if (found === undefined) {
        ctx.addIssue({ code: "custom", message: `must be ${listed(values)}, got ${shown(value)}` });
        return z.NEVER;
      }
      return found;
    })
    .optional();
}

/** A yes/no option: a CLI flag (boolean) or an action input ("true"/"false", as YAML spells them). */
export function flag(rule: { default: boolean }) {
  return z
    .custom<RawValue>()
    .optional()
    .default("")
    .transform((value, ctx): boolean => {
      if (blank(value)) return rule.default;
      if (typeof value === "boolean") return value;
      const text = value!.trim().toLowerCase();
      if (["true", "yes", "on"].includes(text)) return true;
      if (["false", "no", "off"].includes(text)) return false;
      ctx.addIssue({ code: "custom", message: `must be true or false, got ${shown(value)}` });
      return z.NEVER;
    });
}

/** Free text; blank means not given. */
export function text() {
  return z
    .custom<RawValue>()
    .optional()
    .default("")
    .transform((value): string | undefined =>
      blank(value) || typeof value === "boolean" ? undefined : String(value).trim(),
    )
    .optional();
}

/** Free text that must be given. */
export function requiredText() {
  return z
    .custom<RawValue>()
    .optional()
    .default("")
    .transform((value, ctx): string => {
      if (blank(value) || typeof value === "boolean") {
        ctx.addIssue({ code: "custom", message: "is required" });
        return z.NEVER;
      }
      return String(value).trim();
    });
}

/**
 * Parses raw option values with a verb's schema. A bad value is a UsageError (exit 2) that names the
 * option the way the adapter spells it; `{name}` in a rule's message mentions another option.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  raw: RawOptions,
  names: OptionNames,
): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? "");
  const message = issue.message.replace(/\{([a-z-]+)\}/g, (_, other: string) => names.mention(other));
  throw new UsageError(
    `${name ? `${names.subject(name)} ` : ""}${message}${names.hint ? `; ${names.hint}` : ""}.`,
  );
}
