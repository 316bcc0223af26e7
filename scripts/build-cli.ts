/**
 * Builds the `camunda-gitops` CLI into .local/cli/: the TypeScript of actions/src (and the parts of
 * workers/ it runs or reads, such as the topic registry) as ES modules, one chunk per verb, packages
 * left to node_modules. bin/camunda-gitops.mjs starts from this build while every source it was built
 * from is unchanged, and through tsx otherwise, so a command never runs stale code. `npm ci` runs it
 * (the `prepare` script); when it fails, the CLI keeps working through tsx.
 *
 *   node --import tsx scripts/build-cli.ts [--root <checkout>]
 */
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const { values } = parseArgs({ options: { root: { type: "string" } } });
const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
const target = path.join(root, ".local", "cli");
// Built beside the live build and swapped in, so a CLI starting meanwhile sees the old build or none.
const staging = `${target}.${process.pid}`;

try {
  await mkdir(staging, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    // The topic registry too: `lint` reads it as data, and from the build it needs no TypeScript loader.
    entryPoints: { main: "actions/src/cli/main.ts", registry: "workers/src/registry.ts" },
    outdir: staging,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // The linter's packages are bundled (reading one file beats resolving and reading dozens at every
    // start); these stay in node_modules: large, loaded only by their verbs, or resolving files at run time.
    external: [
      "@aws-sdk/*",
      "playwright-core",
      "pino",
      "thread-stream",
      "esbuild",
      "tsx",
      "aws-sdk-client-mock",
    ],
    // Bundled CommonJS calls require() for Node built-ins; ES modules have no require.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
    },
    metafile: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "silent",
  });
  // The build stands for the sources as they are now: the entry point compares their modification times.
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes("node_modules/"));
  const times = await Promise.all(inputs.map(async (file) => (await stat(path.join(root, file))).mtimeMs));
  await writeFile(
    path.join(staging, "build.json"),
    `${JSON.stringify({ builtFrom: Math.max(...times), inputs }, null, 1)}\n`,
  );
  const old = `${target}.old.${process.pid}`;
  await rename(target, old).catch(() => undefined);
  await rename(staging, target);
  await rm(old, { recursive: true, force: true });
  console.log(`built .local/cli/ from ${inputs.length} sources`);
} catch (error) {
  await rm(staging, { recursive: true, force: true });
  console.log(
    `the CLI build failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); camunda-gitops runs through tsx instead`,
  );
}
