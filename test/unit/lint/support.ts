import path from "node:path";
import { type LintOptions, lint } from "#core/lint/index.js";
import { repoRoot } from "../../support/repo.js";

export const fixtures = path.join(repoRoot, "test/fixtures/lint");
export const fixtureRegistry = { file: "test/fixtures/lint/registry/registry.ts" };

/** Lints fixtures against their own small repository index and topic registry, never the real ones. */
export function lintFixtures(paths: string[], options: Partial<LintOptions> = {}) {
  return lint({
    root: repoRoot,
    paths: paths.map((p) => path.join(fixtures, p)),
    indexPaths: [path.join(fixtures, "index")],
    registry: fixtureRegistry,
    configFile: null,
    ...options,
  });
}
