/**
 * What a motor insurance application must have attached, and how attachments are read.
 *
 * The `documents` variable (set at start, and again by the DocumentsReceived message) is a Json
 * array of document type codes, e.g. ["DRIVING_LICENCE","VEHICLE_REGISTRATION"]; entries may also be
 * objects with a `type` (and e.g. `fileName`). Codes are compared after normalising case, spaces and
 * hyphens, so "driving licence", "Driving-Licence" and "DRIVING_LICENCE" are the same document.
 * `missingDocuments` is written back as a Json array of codes in the same form.
 */
import { z } from "zod";

export const REQUIRED_DOCUMENTS = ["DRIVING_LICENCE", "VEHICLE_REGISTRATION"] as const;

const ALIASES: Record<string, string> = {
  DRIVING_LICENSE: "DRIVING_LICENCE",
  DRIVERS_LICENSE: "DRIVING_LICENCE",
  DRIVERS_LICENCE: "DRIVING_LICENCE",
  V5C: "VEHICLE_REGISTRATION",
  VEHICLE_REGISTRATION_CERTIFICATE: "VEHICLE_REGISTRATION",
  LOGBOOK: "VEHICLE_REGISTRATION",
};

export function normaliseDocumentType(type: string): string {
  const normalised = type
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, "_");
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
  .preprocess(
    parseJsonText,
    z
      .array(documentEntry, "must be a JSON array of document types")
      .max(100, "must list at most 100 documents"),
  )
  .transform(
    (entries) => new Set(entries.map((e) => normaliseDocumentType(typeof e === "string" ? e : e.type))),
  );

export function missingDocuments(attached: ReadonlySet<string>): string[] {
  return REQUIRED_DOCUMENTS.filter((type) => !attached.has(type));
}

const LABELS: Record<string, string> = {
  DRIVING_LICENCE: "a copy of your driving licence (both sides)",
  VEHICLE_REGISTRATION: "the vehicle registration certificate (V5C)",
};

export function describeDocument(type: string): string {
  const code = normaliseDocumentType(type);
  return LABELS[code] ?? code.toLowerCase().replace(/_/g, " ");
}
