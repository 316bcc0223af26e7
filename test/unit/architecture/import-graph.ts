/**
 * The project's import graph, read from the sources with TypeScript's own pre-processor (static
 * imports, re-exports and `import("…")` with a literal), resolved the way Node resolves them here:
 * `#core/*` and `#workers/*` through package.json `imports`, relative paths with their `.js` suffix
 * standing for the `.ts` (or `.d.ts`) file. Everything else is a package or a Node built-in.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export interface ImportEdge {
  /** Repository-relative file that imports. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** Repository-relative file it resolves to, or undefined for a package or a Node built-in. */
  to: string | undefined;
  /** 1-based line of the import. */
  line: number;
}

export interface ImportGraph {
  root: string;
  files: string[];
  edges: ImportEdge[];
  /** Edges by importing file. */
  from(file: string): ImportEdge[];
  /** Every project file `file` reaches through its imports, itself included. */
  closure(file: string): Set<string>;
}

const sourceFolders = ["actions", "workers/src", "bin"];
const skipped = new Set(["node_modules", "dist", "test"]);

function listSources(root: string, dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!existsSync(absolute)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(absolute, { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name)) out.push(...listSources(root, rel));
    } else if (/\.(ts|mjs)$/.test(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

/** The file a specifier names, or undefined when it is a package or a Node built-in. */
export function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  let target: string;
  if (specifier.startsWith("#core/")) target = path.posix.join("actions/src", specifier.slice(6));
  else if (specifier.startsWith("#workers/")) target = path.posix.join("workers/src", specifier.slice(9));
  else if (specifier.startsWith("./") || specifier.startsWith("../"))
    target = path.posix.join(path.posix.dirname(from), specifier);
  else return undefined;
  const stem = target.replace(/\.(js|ts|mjs)$/, "");
  for (const candidate of [`${stem}.ts`, `${stem}.d.ts`, `${stem}.mjs`, target]) {
    if (existsSync(path.join(root, candidate))) return candidate;
  }
  // Unresolvable: keep the written path so a rule still sees where it points.
  return target;
}

export function readImportGraph(root: string): ImportGraph {
  const files = sourceFolders.flatMap((dir) => listSources(root, dir)).sort();
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const text = readFileSync(path.join(root, from), "utf8");
    const info = ts.preProcessFile(text, true, true);
    for (const imported of info.importedFiles) {
      const line = text.slice(0, imported.pos).split("\n").length;
      edges.push({
        from,
        specifier: imported.fileName,
        to: resolveSpecifier(root, from, imported.fileName),
        line,
      });
    }
  }
  const byFile = new Map<string, ImportEdge[]>();
  for (const edge of edges) byFile.set(edge.from, [...(byFile.get(edge.from) ?? []), edge]);
  return {
    root,
    files,
    edges,
    from: (file) => byFile.get(file) ?? [],
    closure(file) {
      const seen = new Set<string>();
      const queue = [file];
      while (queue.length > 0) {
        const next = queue.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        for (const edge of byFile.get(next) ?? []) if (edge.to) queue.push(edge.to);
      }
      return seen;
    },
  };
}
