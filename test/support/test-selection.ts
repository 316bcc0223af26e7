/**
 * Which test files exist and which of them a `npm test -- <args>` selects. test/run.ts runs the
 * selection; the CI-coverage test reads the workflow's `npm test` lines through the same functions,
 * so "every test file runs in some CI job" is judged exactly as the runner selects.
 *
 * Arguments are path prefixes (`test/integration`, `workers/test/unit`, one file); `--exclude <prefix>`
 * takes a prefix out again, so a job can run a whole folder except what another job runs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const testRoots = ["test", "processes/tests", "workers/test"] as const;

/** Every *.test.ts under the test roots, as repository-relative POSIX paths, sorted. */
export function findTestFiles(root: string): string[] {
  const walk = (dir: string): string[] => {
    const abs = path.join(root, dir);
    if (!existsSync(abs)) return [];
    const out: string[] = [];
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === "fixtures" || entry.name === "node_modules") continue;
        out.push(...walk(rel));
      } else if (entry.name.endsWith(".test.ts")) {
        out.push(rel);
      }
    }
    return out;
  };
  return testRoots.flatMap(walk).sort();
}

export interface Selection {
  include: string[];
  exclude: string[];
}

/** Splits `npm test --` arguments into prefixes to run and prefixes excluded (`--exclude p`, `--exclude=p`). */
export function parseSelection(args: readonly string[]): Selection {
  const clean = (p: string) => p.replace(/^\.\//, "").replace(/\/$/, "");
  const selection: Selection = { include: [], exclude: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--exclude") {
      const next = args[++i];
      if (next === undefined) throw new Error("--exclude needs a path prefix after it");
      selection.exclude.push(clean(next));
    } else if (arg.startsWith("--exclude=")) {
      selection.exclude.push(clean(arg.slice("--exclude=".length)));
    } else {
      selection.include.push(clean(arg));
    }
  }
  return selection;
}

function under(file: string, prefix: string): boolean {
  return file === prefix || file.startsWith(`${prefix}/`) || file.startsWith(prefix);
}

/** The files a selection runs: all when nothing is included, minus every excluded prefix. */
export function selectTests(all: readonly string[], selection: Selection): string[] {
  return all.filter(
    (file) =>
      (selection.include.length === 0 || selection.include.some((p) => under(file, p))) &&
      !selection.exclude.some((p) => under(file, p)),
  );
}

/** A file that needs the real engine sits in an `integration/` folder or in processes/tests/. */
export function needsEngine(file: string): boolean {
  return file.includes("/integration/") || file.startsWith("processes/tests/");
}

/**
 * Whether a test file calls the tools scripts/setup-tools.sh installs into .venv (moto, cfn-lint,
 * checkov, actionlint, zizmor, shellcheck, act, yq, compose-validate): the file, or a local module it
 * imports (followed through relative imports), names `.venv` or one of the support modules that start
 * those tools. Subsets without such a file skip the install.
 */
export function needsTools(root: string, file: string): boolean {
  const seen = new Set<string>();
  const visit = (rel: string): boolean => {
    if (seen.has(rel)) return false;
    seen.add(rel);
    const abs = path.join(root, rel);
    if (!existsSync(abs)) return false;
    const text = readFileSync(abs, "utf8");
    if (/\.venv|setup-tools/.test(text)) return true;
    for (const match of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), match[1] as string));
      if (visit(target.replace(/\.js$/, ".ts"))) return true;
    }
    return false;
  };
  return visit(file);
}
