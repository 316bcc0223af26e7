/**
 * `npm run build:workers`: the workers' built file, workers/dist/main.mjs, which the Dockerfile copies
 * (`camunda-gitops package` builds it itself for the CodeDeploy bundle).
 */
import { buildWorkersBundle } from "#core/bundle/workers-bundle.js";
import { UserError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";
import { repoRoot } from "../test/support/repo.js";

try {
  const { file, size } = await buildWorkersBundle(repoRoot);
  console.log(`built ${displayPath(file)} (${Math.round(size / 1024)} KB)`);
} catch (error) {
  console.error(`build-workers: ${error instanceof Error ? error.message : String(error)}`);
  for (const line of error instanceof UserError ? error.details : []) console.error(`  ${line}`);
  process.exitCode = 1;
}
