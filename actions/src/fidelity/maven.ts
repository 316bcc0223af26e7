/**
 * The versions Maven actually resolves for engine/pom.xml (runtime class path, after BOM imports,
 * exclusions and nearest-wins), which is what ends up in the jar, not what the pom text says.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError } from "#core/util/errors.js";

/** Pinned so the output format does not depend on which plugin version a machine has cached. */
const dependencyPlugin = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

/** groupId:artifactId (plus `:classifier` when there is one) → version. */
export type ResolvedDependencies = Map<string, string>;

/**
 * Parses `mvn dependency:list` output lines such as
 * `   org.camunda.feel:feel-engine:jar:scala-shaded:1.19.1:compile -- module ...`.
 */
export function parseDependencyList(text: string): ResolvedDependencies {
  const resolved: ResolvedDependencies = new Map();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+--.*$/, "").trim();
    const parts = line.split(":");
    if (parts.length < 5 || parts.some((part) => part === "" || /\s/.test(part))) continue;
    const [group, artifact, , ...rest] = parts;
    // rest is [version, scope] or [classifier, version, scope]
    const scope = rest.pop();
    if (!scope || !["compile", "runtime", "provided", "system", "test"].includes(scope)) continue;
    const version = rest.pop()!;
    const classifier = rest[0];
    resolved.set(`${group}:${artifact}${classifier ? `:${classifier}` : ""}`, version);
  }
  return resolved;
}

/** Runs Maven on engineDir/pom.xml and returns its runtime class path with versions. */
export async function resolveEngineDependencies(
  engineDir: string,
  options: { timeoutMs?: number } = {},
): Promise<ResolvedDependencies> {
  const dir = mkdtempSync(path.join(tmpdir(), "engine-deps-"));
  const output = path.join(dir, "dependencies.txt");
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        "mvn",
        [
          "-B",
          "-q",
          "-f",
          path.join(engineDir, "pom.xml"),
          `${dependencyPlugin}:list`,
          "-DincludeScope=runtime",
          `-DoutputFile=${output}`,
        ],
        { timeout: options.timeoutMs ?? 300_000, maxBuffer: 8 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (!error) return resolve();
          const tail = `${stdout}${stderr}`.trim().split("\n").slice(-8);
          reject(
            new UserError(
              `Maven could not resolve the dependencies of ${path.join(engineDir, "pom.xml")} (${error.killed ? "timed out" : `exit code ${error.code}`}); fix the pom or Maven's access to Maven Central.`,
              { details: tail },
            ),
          );
        },
      );
    });
    return parseDependencyList(readFileSync(output, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
