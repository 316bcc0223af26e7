/**
 * Building the local engine jar with the machine's Maven and Java. The jar counts as stale when a hash
 * of engine/pom.xml and engine/src/** differs from the stamp written next to it after the last build,
 * so editing the engine's sources or dependencies triggers a rebuild and nothing else does.
 */

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { UserError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";
import { createArchive, type EngineLaunch, javaIdentity, readyArchive } from "./cds.js";
import { withFileLock } from "./lock.js";

/** The engine's Maven project in a checkout. */
export function engineProjectDir(root: string): string {
  return path.join(root, "engine");
}

const jarName = "camunda-engine.jar";
const minimumJava = 17;

export function engineJar(engineDir: string): string {
  return path.join(engineDir, "target", jarName);
}

export function engineStamp(engineDir: string): string {
  return path.join(engineDir, "target", `${jarName}.stamp`);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** sha256 over the relative path and content of pom.xml and every file under src/, in a stable order. */
export function engineSourceHash(engineDir: string): string {
  const files = [path.join(engineDir, "pom.xml"), ...listFiles(path.join(engineDir, "src"))]
    .filter((file) => existsSync(file))
    .map((file) => ({ file, key: path.relative(engineDir, file).split(path.sep).join("/") }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const hash = createHash("sha256");
  for (const { file, key } of files) {
    // Length-prefixed so that moving bytes between a name and a content cannot give the same hash.
    const content = readFileSync(file);
    hash.update(`${key.length}:${key}:${content.length}:`);
    hash.update(content);
  }
  return hash.digest("hex");
}

export type Staleness = { stale: false } | { stale: true; reason: "no jar" | "no stamp" | "sources changed" };

export function engineStaleness(engineDir: string): Staleness {
  if (!existsSync(engineJar(engineDir))) return { stale: true, reason: "no jar" };
  const stampFile = engineStamp(engineDir);
  if (!existsSync(stampFile)) return { stale: true, reason: "no stamp" };
  const stamp = readFileSync(stampFile, "utf8").trim();
  return stamp === engineSourceHash(engineDir)
    ? { stale: false }
    : { stale: true, reason: "sources changed" };
}

/** The java executable: $JAVA_HOME/bin/java when JAVA_HOME is set (as Maven does), else `java` from PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.JAVA_HOME;
  if (home) {
    const candidate = path.join(home, "bin", "java");
    if (existsSync(candidate)) return candidate;
  }
  return "java";
}

/** The major version in `java -version` output: "17.0.15" → 17, "1.8.0_402" → 8, "21-ea" → 21. */
export function parseJavaMajor(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Checks that Java 17+ can be run; returns the command and its major version. */
export function checkJava(env: NodeJS.ProcessEnv = process.env): { command: string; major: number } {
  const command = javaCommand(env);
  const result = spawnSync(command, ["-version"], { encoding: "utf8", env });
  if (result.error) {
    throw new UserError(
      `Java ${minimumJava} or newer is needed for the local engine, but \`${command}\` could not be run (${(result.error as NodeJS.ErrnoException).code ?? result.error.message}); install a JDK ${minimumJava}+ (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.`,
      { exitCode: 2 },
    );
  }
  const major = parseJavaMajor(`${result.stderr}${result.stdout}`);
  if (major === undefined || major < minimumJava) {
    throw new UserError(
      `Java ${minimumJava} or newer is needed for the local engine, but \`${command}\` is ${major === undefined ? "of unknown version" : `Java ${major}`}; install a JDK ${minimumJava}+ or point JAVA_HOME at one.`,
      { exitCode: 2 },
    );
  }
  return { command, major };
}

export function checkMaven(env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync("mvn", ["-v"], { encoding: "utf8", env });
  if (result.error || result.status !== 0) {
    throw new UserError(
      "Maven is needed to build the local engine, but `mvn` could not be run; install Maven 3.8+ (e.g. apt-get install maven) and make sure `mvn` is on PATH.",
      { exitCode: 2 },
    );
  }
}

export interface BuildEngineOptions {
  /** Rebuild even when the jar is up to date. */
  force?: boolean;
  /** Prepare the class data archive that speeds up engine starts (default true). */
  classDataSharing?: boolean;
  onProgress?: (line: string) => void;
  /** The engine's Maven project: engineProjectDir(root) (tests point it elsewhere). */
  engineDir: string;
}

export interface BuildEngineResult {
  /** The Spring Boot jar Maven built. */
  jar: string;
  /** What to run: the extracted jar with its class archive, or the plain jar when that is unavailable. */
  launch: EngineLaunch;
  /** False when the jar was already up to date. */
  built: boolean;
  durationMs: number;
}
const keptOutputLines = 40;

/** Maven's generic advice after every failure; it would push the actual error out of the kept tail. */
const mavenBoilerplate = [
  /^\[ERROR\]\s*$/,
  /^\[ERROR\] To see the full stack trace/,
  /^\[ERROR\] Re-run Maven using/,
  /^\[ERROR\] For more information about the errors/,
  /^\[ERROR\] \[Help \d+\] http/,
];

function runMaven(engineDir: string): Promise<{ code: number; tail: string[] }> {
  return new Promise((resolve, reject) => {
    // -B: no colours or download progress; -q: errors only. The tail of the output is all we show.
    const child = spawn(
      "mvn",
      ["-B", "-q", "package", "-DskipTests", "-f", path.join(engineDir, "pom.xml")],
      {
        cwd: engineDir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const lines: string[] = [];
    let partial = "";
    const keep = (line: string) => {
      // Maven prints ANSI colour codes even in batch mode on some versions.
      const clean = stripVTControlCharacters(line).trimEnd();
      if (!clean || mavenBoilerplate.some((pattern) => pattern.test(clean))) return;
      lines.push(clean);
      if (lines.length > keptOutputLines) lines.shift();
    };
    const collect = (chunk: Buffer) => {
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) keep(line);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => {
      keep(partial);
      resolve({ code: code ?? 1, tail: lines });
    });
  });
}

function plainLaunch(jar: string): EngineLaunch {
  return { jar, jvmArgs: [], programArgs: ["-jar", jar], classDataSharing: false };
}

function jarHash(engineDir: string): string {
  return readFileSync(engineStamp(engineDir), "utf8").trim();
}

/**
 * Builds engine/target/camunda-engine.jar when it is missing or stale (or always with `force`), then
 * makes sure its class data archive exists for the current JVM. One build at a time per engine folder,
 * across processes.
 */
export async function buildEngine(options: BuildEngineOptions): Promise<BuildEngineResult> {
  const engineDir = options.engineDir;
  const jar = engineJar(engineDir);
  const targetDir = path.dirname(jar);
  const started = Date.now();
  const wantArchive = options.classDataSharing !== false;
  const java = checkJava().command;
  const identity = wantArchive ? javaIdentity(java) : "";
  const ready = () =>
    !engineStaleness(engineDir).stale &&
    (!wantArchive || readyArchive(targetDir, jarHash(engineDir), identity) !== undefined);
  if (!options.force && ready()) {
    const launch = wantArchive ? readyArchive(targetDir, jarHash(engineDir), identity)! : plainLaunch(jar);
    return { jar, launch, built: false, durationMs: 0 };
  }

  mkdirSync(targetDir, { recursive: true });
  return withFileLock(
    path.join(targetDir, ".build.lock"),
    async () => {
      let built = false;
      // Another process may have built it while this one waited for the lock.
      if (options.force || engineStaleness(engineDir).stale) {
        checkMaven();
        // Hashed before building: a source edited during the build leaves the jar stale, as it should.
        const hash = engineSourceHash(engineDir);
        rmSync(engineStamp(engineDir), { force: true });
        const reason = !existsSync(jar)
          ? "building the engine with Maven (the first build downloads about 100 MB of dependencies into ~/.m2)"
          : options.force
            ? "rebuilding the engine with Maven (forced)"
            : "rebuilding the engine with Maven (engine/ changed since the last build)";
        options.onProgress?.(reason);
        const { code, tail } = await runMaven(engineDir);
        if (code !== 0 || !existsSync(jar) || statSync(jar).size === 0) {
          throw new UserError(
            `Building the local engine with Maven failed (exit code ${code}) in ${displayPath(engineDir)}; fix the error below (or Maven's network access to Maven Central) and run the command again.`,
            { details: tail.length > 0 ? tail : ["(Maven printed nothing)"] },
          );
        }
        writeFileSync(engineStamp(engineDir), `${hash}\n`);
        built = true;
      }
      let launch = plainLaunch(jar);
      if (wantArchive) {
        const hash = jarHash(engineDir);
        launch =
          (!built && readyArchive(targetDir, hash, identity)) ||
          (await createArchive({ jar, jarHash: hash, java, identity, onProgress: options.onProgress })) ||
          launch;
      }
      return { jar, launch, built, durationMs: Date.now() - started };
    },
    { onWait: () => options.onProgress?.("waiting for another build of the engine to finish") },
  );
}
