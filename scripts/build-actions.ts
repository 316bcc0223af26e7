/**
 * Bundles each GitHub Action (`actions/<name>/main.ts`, next to its action.yml) into
 * `actions/<name>/dist/index.js` with esbuild: one ES module file with every dependency inlined, so the
 * runner needs no `npm ci` before the action starts. The output is deterministic (no timestamps, no
 * absolute paths), so a test can rebuild and compare with the committed bundle.
 *
 *   node --import tsx scripts/build-actions.ts [action-name...]
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const actionsDir = path.join(repoRoot, "actions");

/** Every folder under actions/ that has an action.yml and a main.ts. */
export function listActions(): string[] {
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter(
      (name) =>
        existsSync(path.join(actionsDir, name, "action.yml")) &&
        existsSync(path.join(actionsDir, name, "main.ts")),
    )
    .sort();
}

/** Builds one action in memory and returns the bundle's text. */
export async function bundleAction(name: string): Promise<string> {
  const entry = path.join(actionsDir, name, "main.ts");
  if (!existsSync(entry)) throw new Error(`actions/${name}/main.ts does not exist`);
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [path.relative(repoRoot, entry)],
    outfile: path.join("actions", name, "dist", "index.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    minify: false,
    sourcemap: false,
    legalComments: "eof",
    charset: "utf8",
    logLevel: "silent",
    // Bundled CommonJS dependencies call require() for Node built-ins; ES modules have no require.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
    },
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for actions/${name}`);
  return output.text;
}

export function distPath(name: string): string {
  return path.join(actionsDir, name, "dist", "index.js");
}

async function main(names: string[]): Promise<number> {
  const known = listActions();
  const selected = names.length > 0 ? names : known;
  for (const name of selected) {
    if (!known.includes(name)) {
      console.error(
        `build-actions: actions/${name} has no action.yml and main.ts; known actions: ${known.join(", ") || "none"}.`,
      );
      return 2;
    }
  }
  for (const name of selected) {
    const text = await bundleAction(name);
    await mkdir(path.dirname(distPath(name)), { recursive: true });
    await writeFile(distPath(name), text);
    console.log(`built actions/${name}/dist/index.js (${Math.round(text.length / 1024)} KB)`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`build-actions: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
