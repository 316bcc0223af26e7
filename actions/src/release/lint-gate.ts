/**
 * The linter as a release gate: a release does not start while the models have lint errors.
 * The linter is loaded lazily: `plan` does not need it, and it pulls in bpmnlint and the rule pack.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Finding, LintReport } from "#core/lint/index.js";
import { UserError } from "#core/util/errors.js";

export interface LintInput {
  /** Folder that holds processes/ (the repository or the export of a ref). */
  root: string;
  /** Absolute path of the processes folder. */
  processesDir: string;
  /** The released files, absolute: the gate lints exactly these (and indexes them for cross-file checks). */
  files: readonly string[];
}

/** Runs the linter over the models of a release and returns its report (the `--format json` shape). */
export type LintGate = (input: LintInput) => Promise<LintReport>;

export interface ProjectLintOptions {
  /** Checkout whose worker topic registry is used: the one that runs the release. */
  toolRoot: string;
  /** Loads the TypeScript registry module (a bundled action cannot import .ts itself). */
  importRegistry?: (absolutePath: string) => Promise<unknown>;
}

/**
 * The project's linter over the released files. The worker topic registry always comes from this
 * checkout (the workers that run are the ones built from it), also when the models come from an older
 * ref; so does the lint configuration: `<root>/processes/.bpmnlintrc` is this checkout's copy (see
 * source.ts), never the ref's.
 */
export function projectLintGate(options: ProjectLintOptions): LintGate {
  return async ({ root, files }) => {
    const { lint, DEFAULT_REGISTRY_FILE } = await import("#core/lint/index.js");
    const registryFile = path.join(options.toolRoot, DEFAULT_REGISTRY_FILE);
    return lint({
      root,
      paths: files,
      indexPaths: files,
      ...(existsSync(registryFile)
        ? {
            registry: {
              file: registryFile,
              ...(options.importRegistry ? { importModule: options.importRegistry } : {}),
            },
          }
        : {}),
    });
  };
}

/** The linter found errors: the release is refused before anything reaches the engine. */
export class LintRefusedError extends UserError {
  readonly findings: Finding[];

  constructor(findings: Finding[]) {
    const errors = findings.filter((f) => f.severity === "error");
    const files = [...new Set(errors.map((f) => f.file))];
    super(
      `the linter reports ${errors.length} error(s) in ${files.join(", ")}; the release did not start — fix them (\`camunda-gitops lint\`) and release again.`,
      {
        exitCode: 1,
        details: errors.map(
          (f) =>
            `${f.file}:${f.line}:${f.column}: ${f.message} [${f.rule}]${f.elementId ? ` (${f.elementId})` : ""}`,
        ),
      },
    );
    this.name = "LintRefusedError";
    this.findings = errors;
  }
}

export async function runLintGate(gate: LintGate, input: LintInput): Promise<LintReport> {
  const report = await gate(input);
  if (report.findings.some((f) => f.severity === "error")) throw new LintRefusedError(report.findings);
  return report;
}
