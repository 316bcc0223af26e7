#!/usr/bin/env node
// Entry point of the `camunda-gitops` CLI. It starts from the build in .local/cli/ (made by `npm ci`
// through scripts/build-cli.ts) while every source it was built from is unchanged; otherwise it runs
// the TypeScript through tsx, so a fresh clone works with no build step and an edited source is never
// shadowed by a stale build. The GitHub Actions ship esbuild bundles instead.
// This file is the one place that knows where the checkout is (the folder above bin/); every verb is
// told, so the CLI works from any working directory.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const build = `${root}/.local/cli`;

/** True when the build matches the sources (a few hundred stat calls: about a millisecond). */
function buildIsCurrent() {
  try {
    const manifest = JSON.parse(readFileSync(`${build}/build.json`, "utf8"));
    return manifest.inputs.every((file) => statSync(`${root}/${file}`).mtimeMs <= manifest.builtFrom);
  } catch {
    return false;
  }
}

// CAMUNDA_GITOPS_ENTRY=tsx forces the TypeScript sources, =built insists on the build (benchmarks, tests).
const entry = process.env.CAMUNDA_GITOPS_ENTRY;
const useBuild = entry !== "tsx" && buildIsCurrent();
if (entry === "built" && !useBuild) {
  console.error(
    "camunda-gitops: the build in .local/cli/ is missing or older than the sources; run `npm run build:cli`.",
  );
  process.exit(2);
}
let main;
let importModule;
if (useBuild) {
  ({ main } = await import(pathToFileURL(`${build}/main.js`).href));
  const registry = `${root}/workers/src/registry.ts`;
  importModule = async (file) => {
    if (file === registry) return import(pathToFileURL(`${build}/registry.js`).href);
    const { tsImport } = await import("tsx/esm/api");
    return tsImport(pathToFileURL(file).href, import.meta.url);
  };
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("#core/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2), { root, ...(importModule ? { importModule } : {}) });
