/**
 * `npm run build:workers`: the workers' built file, workers/dist/main.mjs, and the metrics exporter's,
 * workers/dist/metrics.mjs, which the Dockerfile copies
 * (`camunda-gitops package` builds it itself for the CodeDeploy bundle).
 */
import path from "node:path";
import { buildWorkersBundle, exporterBundleFile, exporterEntry } from "#core/bundle/workers-bundle.js";
import { UserError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";
import { repoRoot } from "../test/support/repo.js";

try {
  for (const built of [
    await buildWorkersBundle(repoRoot),
    await buildWorkersBundle(repoRoot, path.join(repoRoot, exporterBundleFile), exporterEntry),
  ])
    console.log(`built ${displayPath(built.file)} (${Math.round(built.size / 1024)} KB)`);
} catch (error) {
  console.error(`build-workers: ${error instanceof Error ? error.message : String(error)}`);
  for (const line of error instanceof UserError ? error.details : []) console.error(`  ${line}`);
  process.exitCode = 1;
}
