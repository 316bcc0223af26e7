/**
 * The full probe's JavaScript check, apart from the other scripts because the engines are expected to
 * refuse it: with configureScriptEngineHostAccess=false (engine/run-7.23.0.yaml) GraalJS 21.3 fails
 * every script, even one that touches no Java object, with "ReferenceError: Java is not defined" (its
 * ScriptEngine binds the engine's variables through Java). On an engine with host access the probe
 * script answers "Graal.js:2,4,6".
 */
import { type CamundaClient, CamundaError } from "#core/camunda/index.js";
import { errorMessage } from "#core/util/errors.js";
import { javascriptProcessKey } from "./models.js";

/** "Graal.js" when the script ran and computed its value, "refused" for the missing host access, else what went wrong. */
export async function javascriptOutcome(client: CamundaClient): Promise<string> {
  const start = client.api.POST as unknown as (
    path: string,
    init: { body: Record<string, unknown> },
  ) => Promise<{
    data?: { variables?: Record<string, { value: unknown }> };
    error?: unknown;
    response: Response;
  }>;
  try {
    const started = await client.ok(
      start(`/process-definition/key/${javascriptProcessKey}/start`, {
        body: { withVariablesInReturn: true },
      }),
    );
    const report = started.variables?.javascriptReport?.value;
    if (typeof report !== "string") return "missing";
    const [engine, computed] = report.split(":");
    return computed === "2,4,6" ? (engine ?? "missing") : `${engine} (computed ${computed})`;
  } catch (error) {
    const reason = (
      error instanceof CamundaError ? (error.engineMessage ?? error.message) : errorMessage(error)
    ).split("\n")[0]!;
    return /ReferenceError: Java is not defined/.test(reason) ? "refused" : `failed: ${reason.slice(0, 200)}`;
  }
}
