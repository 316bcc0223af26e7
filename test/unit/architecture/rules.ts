/**
 * The boundaries of the code base, as rules over the import graph. Each rule returns its violations
 * as `file:line: what is wrong`; an empty list means the boundary holds.
 *
 *   core           actions/src/ without cli/   — knows nothing of GitHub, of the CLI or of the workers
 *   CLI adapter    actions/src/cli/            — the core on a laptop; may start the workers in-process
 *   action adapter actions/<name>/*.ts         — the core on a GitHub runner
 *   workers        workers/src/                — a separate deployable; uses a short list of the core
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ImportEdge, ImportGraph } from "./import-graph.js";

const isCore = (file: string) => file.startsWith("actions/src/") && !file.startsWith("actions/src/cli/");
const isCli = (file: string) => file.startsWith("actions/src/cli/");
const isActionAdapter = (file: string) => /^actions\/(?!src\/)[^/]+\/[^/]+\.ts$/.test(file);
const isWorkers = (file: string) => file.startsWith("workers/src/");
const isVerb = (file: string) => file.startsWith("actions/src/cli/commands/");

/** What the workers may use of the core: the REST client, its errors, credentials and OpenAPI types, and the small helpers they need. */
export const workersMayUse: readonly string[] = [
  "actions/src/camunda/client.ts",
  "actions/src/camunda/credentials.ts",
  "actions/src/camunda/errors.ts",
  "actions/src/camunda/forbidden.ts",
  "actions/src/camunda/openapi.d.ts",
  "actions/src/util/backoff.ts",
  "actions/src/util/errors.ts",
  "actions/src/util/paths.ts",
  "actions/src/util/sleep.ts",
];

/** The workers' composition root: the one part of workers/ the CLI's `workers` verb starts. */
export const cliMayStartFromWorkers: readonly string[] = [
  "workers/src/runtime/config.ts",
  "workers/src/runtime/run.ts",
];

/** Core folders that only make sense on a developer's machine: no GitHub Action may carry them. */
export const localOnlyCore: readonly string[] = [
  "actions/src/engine/",
  "actions/src/platform/",
  "actions/src/cli/",
];

const where = (edge: ImportEdge) => `${edge.from}:${edge.line}`;

export function coreImportsNoGitHub(graph: ImportGraph): string[] {
  return graph.edges
    .filter(
      (e) => (isCore(e.from) || isCli(e.from) || isWorkers(e.from)) && e.specifier.startsWith("@actions/"),
    )
    .map(
      (e) =>
        `${where(e)}: imports ${e.specifier}; GitHub belongs in actions/<name>/, the core takes plain arguments`,
    );
}

export function coreImportsNoWorkers(graph: ImportGraph): string[] {
  return graph.edges
    .filter((e) => e.to !== undefined && isWorkers(e.to))
    .filter((e) => !(isCli(e.from) && cliMayStartFromWorkers.includes(e.to!)))
    .filter((e) => !isWorkers(e.from))
    .map((e) =>
      isCli(e.from)
        ? `${where(e)}: imports ${e.specifier}; the CLI may start only ${cliMayStartFromWorkers.join(", ")}`
        : `${where(e)}: imports ${e.specifier}; the core does not depend on the workers (read the topic registry as data)`,
    );
}

export function workersUseOnlyTheirPartOfTheCore(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const e of graph.edges) {
    if (!e.to?.startsWith("actions/")) continue;
    if (isWorkers(e.from) && !workersMayUse.includes(e.to)) {
      problems.push(`${where(e)}: imports ${e.specifier}; workers may use only ${workersMayUse.join(", ")}`);
    }
    // What the workers may use must not pull in more of the core behind their back.
    if (workersMayUse.includes(e.from) && !workersMayUse.includes(e.to)) {
      problems.push(`${where(e)}: imports ${e.specifier}, which the workers would then carry too`);
    }
  }
  return problems;
}

export function onlyTheCliEntryImportsVerbs(graph: ImportGraph): string[] {
  return graph.edges
    .filter((e) => e.to !== undefined && isVerb(e.to) && e.from !== "actions/src/cli/main.ts")
    .map((e) => `${where(e)}: imports the CLI verb ${e.to}; put what both need in the core and import that`);
}

export function coreImportsNoAdapter(graph: ImportGraph): string[] {
  return graph.edges
    .filter((e) => e.to !== undefined && isCore(e.from) && (isCli(e.to) || isActionAdapter(e.to)))
    .map((e) => `${where(e)}: the core imports the adapter ${e.to}`);
}

export function sourcesImportNoTestCode(graph: ImportGraph): string[] {
  return graph.edges
    .filter((e) => e.to !== undefined && /^(test|bench|scripts|processes)\//.test(e.to))
    .filter((e) => isCore(e.from) || isCli(e.from) || isActionAdapter(e.from) || isWorkers(e.from))
    .map((e) => `${where(e)}: imports ${e.to}, which is not shipped code`);
}

export function actionsCarryNoLocalOnlyCode(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const adapter of graph.files.filter(isActionAdapter)) {
    for (const file of graph.closure(adapter)) {
      if (localOnlyCore.some((prefix) => file.startsWith(prefix))) {
        const edge = graph.edges.find((e) => e.to === file);
        problems.push(
          `${adapter}: reaches ${file}${edge ? ` (through ${where(edge)})` : ""}; a GitHub runner has no local engine or platform`,
        );
      }
    }
  }
  return problems;
}

/** Where code works out a path from its own location, which breaks once it is bundled elsewhere. */
const ownLocation = [
  /\bimport\.meta\.(dirname|filename)\b/,
  /fileURLToPath\(\s*import\.meta\.url\s*\)/,
  /new URL\([^)]*import\.meta\.url\s*\)/,
  /\b__dirname\b/,
  /\b__filename\b/,
];

export function noPathFromOwnLocation(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const file of graph.files.filter((f) => isCore(f) || isCli(f) || isActionAdapter(f) || isWorkers(f))) {
    const lines = readFileSync(path.join(graph.root, file), "utf8").split("\n");
    lines.forEach((line, index) => {
      if (ownLocation.some((pattern) => pattern.test(line))) {
        problems.push(
          `${file}:${index + 1}: works out a path from its own location; take the root as an argument`,
        );
      }
    });
  }
  return problems;
}

/** Longer than this, a module is doing several jobs; generated files are exempt. */
export const maxModuleLines = 400;
const generated = new Set(["actions/src/camunda/openapi.d.ts"]);

/**
 * Modules that are known to be too long, each with its length when it was listed: a ratchet. They may
 * shrink (then lower or drop the entry) but not grow, and no new one may join.
 */
export const tooLongForNow: ReadonlyMap<string, number> = new Map([
  // One 270-line function runs every capability check; to be split into a module per check.
  ["actions/src/probe/probe.ts", 472],
]);

export function modulesStaySmall(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const file of graph.files) {
    if (!(isCore(file) || isCli(file) || isActionAdapter(file) || isWorkers(file)) || generated.has(file))
      continue;
    const lines = readFileSync(path.join(graph.root, file), "utf8").split("\n").length;
    const allowed = tooLongForNow.get(file) ?? maxModuleLines;
    if (lines > allowed)
      problems.push(`${file}: ${lines} lines; split it into modules named after their jobs`);
  }
  return problems;
}

export const rules = {
  "the core, the CLI and the workers never import @actions/*": coreImportsNoGitHub,
  "the core never imports workers/ (the CLI only their composition root)": coreImportsNoWorkers,
  "the workers use only a named part of the core": workersUseOnlyTheirPartOfTheCore,
  "only the CLI's entry imports a CLI verb": onlyTheCliEntryImportsVerbs,
  "the core never imports an adapter": coreImportsNoAdapter,
  "shipped code never imports tests, benchmarks, scripts or process tests": sourcesImportNoTestCode,
  "no GitHub Action carries the local engine, the platform or the CLI": actionsCarryNoLocalOnlyCode,
  "no shipped module computes a path from its own location": noPathFromOwnLocation,
  [`no shipped module is longer than ${maxModuleLines} lines`]: modulesStaySmall,
} as const;
