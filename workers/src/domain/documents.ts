/**
 * What a motor insurance application must have attached, and how attachments are read.
 *
 * The `documents` start variable is a JSON array. Each entry is either a document type string
 * ("driving-licence") or an object with a `type` (and optionally `fileName`, `uploadedAt`).
 * Types are compared after normalising case, spaces and underscores, so "Driving licence",
 * "driving_licence" and "DRIVING-LICENCE" are the same document.
 */
import { z } from "zod";

export const REQUIRED_DOCUMENTS = ["driving-licence", "proof-of-address", "vehicle-registration"] as const;

const ALIASES: Record<string, string> = {
  "driving-license": "driving-licence",
  "drivers-license": "driving-licence",
  "vehicle-registration-certificate": "vehicle-registration",
  v5c: "vehicle-registration",
  "utility-bill": "proof-of-address",
};

export function normaliseDocumentType(type: string): string {
  const normalised = type
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-");
  return ALIASES[normalised] ?? normalised;
}

const documentEntry = z.union(
  [z.string().trim().min(1), z.looseObject({ type: z.string().trim().min(1) })],
  'must be a document type or an object with a non-empty "type"',
);

function parseJsonText(value: unknown): unknown {
  if (value === undefined || value === null || value === "") return [];
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The attached documents, as the set of normalised document types. Missing variable = none attached. */
export const attachedDocuments = z
  .preprocess(parseJsonText, z.array(documentEntry).max(100, "must list at most 100 documents"))
  .transform(
    (entries) => new Set(entries.map((e) => normaliseDocumentType(typeof e === "string" ? e : e.type))),
  );

export function missingDocuments(attached: ReadonlySet<string>): string[] {
  return REQUIRED_DOCUMENTS.filter((type) => !attached.has(type));
}

const LABELS: Record<string, string> = {
  "driving-licence": "a copy of your driving licence",
  "proof-of-address": "a proof of address dated within the last three months",
  "vehicle-registration": "the vehicle registration certificate (V5C)",
};

export function describeDocument(type: string): string {
  return LABELS[type] ?? type.replace(/-/g, " ");
}
