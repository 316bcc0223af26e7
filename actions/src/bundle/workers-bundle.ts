/**
 * The workers as they ship: workers/src/main.ts and everything it imports (the runtime, the topics,
 * zod, pino, prom-client, the shared REST error types) bundled by esbuild into one ES module that
 * runs on Node alone. The workers' Dockerfile copies this one file into the image and the CodeDeploy
 * bundle carries it, so neither needs the sources, npm, or a list of the core folders they use.
 *
 * esbuild is taken from the checkout's own dependencies (`npm ci`): it runs a native binary, so it
 * cannot be inlined into the bundled GitHub Actions that call this.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { UserError } from "#core/util/errors.js";

/** The workers' entry point and their built file, relative to the repository root. */
export const workersEntry = "workers/src/main.ts";
export const workersBundleFile = "workers/dist/main.mjs";
/** The business metrics exporter, shipped in the same image (`node /app/metrics.mjs`). */
export const exporterEntry = "actions/src/metrics/main.ts";
export const exporterBundleFile = "workers/dist/metrics.mjs";

type Esbuild = typeof import("esbuild");

function esbuildOf(root: string): Esbuild {
  try {
    return createRequire(path.join(root, "package.json"))("esbuild") as Esbuild;
  } catch (error) {
    throw new UserError(
      `building the workers needs esbuild from the repository's dependencies, which are not installed in ${root}; run \`npm ci\` there first.`,
      { exitCode: 2, cause: error },
    );
  }
}

/**
 * Builds the workers' bundle of the checkout at `root` into `outfile` (default <root>/workers/dist/main.mjs).
 * The output is deterministic (no timestamps, no absolute paths), so the same commit packages to the
 * same bytes.
 */
export async function buildWorkersBundle(
  root: string,
  outfile: string = path.join(root, workersBundleFile),
  entry: string = workersEntry,
): Promise<{ file: string; size: number }> {
  const esbuild = esbuildOf(root);
  let result: Awaited<ReturnType<Esbuild["build"]>>;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      legalComments: "eof",
      charset: "utf8",
      logLevel: "silent",
      // CommonJS dependencies (pino, prom-client) call require() for Node built-ins; ES modules have none.
      banner: {
        js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
      },
    });
  } catch (error) {
    const failures =
      (error as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors ?? [];
    throw new UserError(
      `the workers could not be bundled (${failures.length} error(s)); fix the source below.`,
      {
        details: failures.map((f) =>
          f.location ? `${f.location.file}:${f.location.line}: ${f.text}` : f.text,
        ),
        cause: error,
      },
    );
  }
  const output = result.outputFiles?.[0];
  if (!output) throw new UserError(`esbuild produced no output for ${entry}.`);
  mkdirSync(path.dirname(outfile), { recursive: true });
  // Through a rename: a packaging run reading the file meanwhile sees the old or the new one, never half.
  const temporary = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temporary, output.contents);
  renameSync(temporary, outfile);
  return { file: outfile, size: output.contents.length };
}
