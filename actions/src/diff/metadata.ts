/**
 * What the saving tool writes about itself (`exporter`, `exporterVersion`, `modeler:*` attributes):
 * a re-save in another Modeler version changes these and nothing the engine executes.
 */
import type { ModdleElement } from "#core/lint/parse.js";
import type { Change } from "./types.js";

function metadata(definitions: ModdleElement): Map<string, string> {
  const values = new Map<string, string>();
  for (const key of ["exporter", "exporterVersion"]) {
    const value = definitions?.get ? definitions.get(key) : definitions?.[key];
    if (typeof value === "string") values.set(key, value);
  }
  for (const [key, value] of Object.entries(definitions?.$attrs ?? {})) {
    if (key.startsWith("modeler:")) values.set(key, String(value));
  }
  return values;
}

export function compareMetadata(before: ModdleElement, after: ModdleElement): Change[] {
  const a = metadata(before);
  const b = metadata(after);
  const id = String(after?.id ?? before?.id ?? "definitions");
  const changes: Change[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const from = a.get(key) ?? null;
    const to = b.get(key) ?? null;
    if (from === to) continue;
    changes.push({
      elementId: id,
      type: "layout",
      property: key,
      before: from,
      after: to,
      migrationRelevant: false,
      message: `modeler metadata ${key} ${from ?? "(none)"} → ${to ?? "(none)"} (the saving tool; no change in behaviour)`,
      elementType: "definitions",
      elementName: null,
      container: null,
    });
  }
  return changes;
}

/** The only change is whitespace, attribute order, comments or namespace declarations. */
export function formattingChange(definitions: ModdleElement): Change {
  return {
    elementId: String(definitions?.id ?? "definitions"),
    type: "layout",
    property: "formatting",
    before: null,
    after: null,
    migrationRelevant: false,
    message: "only formatting changed (whitespace, attribute order, comments or namespace declarations)",
    elementType: "definitions",
    elementName: null,
    container: null,
  };
}
