/**
 * Records the engine's verdict on each file: deploys it alone (one resource, named after the file),
 * keeps the engine's errors with their positions, and deletes the deployment again.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { EngineError, Verdict } from "./engine-corpus.js";

export async function recordVerdicts(folder: string, files: string[], url: string): Promise<Verdict[]> {
  const user = process.env.CAMUNDA_USERNAME;
  const password = process.env.CAMUNDA_PASSWORD;
  const headers: Record<string, string> = user
    ? { authorization: `Basic ${Buffer.from(`${user}:${password ?? ""}`).toString("base64")}` }
    : {};
  const verdicts: Verdict[] = [];
  let done = 0;
  for (const file of files) {
    const name = path.basename(file);
    const form = new FormData();
    form.set("deployment-name", `engine-corpus-${name}`);
    form.set("enable-duplicate-filtering", "false");
    form.set(name, new Blob([readFileSync(path.join(folder, file))]), name);
    const response = await fetch(`${url}/deployment/create`, { method: "POST", body: form, headers });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    const verdict: Verdict = { file, status: response.status, accepted: response.ok, errors: [] };
    if (response.ok) {
      await fetch(`${url}/deployment/${body.id}?cascade=true`, { method: "DELETE", headers });
    } else {
      const details = (body.details ?? {}) as Record<string, { errors?: Array<Record<string, unknown>> }>;
      for (const resource of Object.values(details)) {
        for (const error of resource.errors ?? []) verdict.errors.push(engineError(error));
      }
      if (verdict.errors.length === 0)
        verdict.otherError = { type: String(body.type ?? ""), message: String(body.message ?? "") };
    }
    verdicts.push(verdict);
    if (++done % 100 === 0) console.log(`${done}/${files.length} deployed`);
  }
  return verdicts;
}

function engineError(error: Record<string, unknown>): EngineError {
  // The engine spells the key of the element ids with a Cyrillic "е" (U+0435); accept both.
  const ids = (error["\u0435lementIds"] ?? error.elementIds ?? []) as string[];
  return {
    message: String(error.message ?? ""),
    line: Number(error.line ?? 0),
    column: Number(error.column ?? 0),
    mainElementId: (error.mainElementId as string | null) ?? null,
    elementIds: ids,
  };
}
