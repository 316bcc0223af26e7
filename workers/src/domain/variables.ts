/**
 * Zod building blocks for process variables as the runtime hands them to handlers (already
 * converted from Camunda's typed values: Json is parsed, Integer/Long/Double are numbers).
 * Lists arrive either as a Json variable or as a String holding JSON, depending on who set them
 * (the Tasklist, curl, a script): both are accepted, anything else is a validation error.
 */
import { z } from "zod";

export const applicationId = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters");
export const nonEmptyText = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");
export const email = z.email("must be an e-mail address");
export const riskGroup = z.enum(["GREEN", "YELLOW", "RED"]);

function parseJsonText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (text === "") return [];
  if (!text.startsWith("[")) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

/** A list of strings, as a Json array or a String holding a JSON array. */
export const stringList = z.preprocess(parseJsonText, z.array(z.string().trim().min(1)).max(50));

/** An optional value that engines and forms often send as null or "" when unset. */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null || value === "" ? undefined : value), schema.optional());
}
