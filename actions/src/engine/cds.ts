/**
 * Class data sharing for the local engine: after a build, the jar is extracted (Spring Boot's
 * `-Djarmode=tools extract`) and one training run that stops right after the application context is
 * refreshed records the loaded classes into an archive. Engines started from the extracted jar with that
 * archive skip most class loading and verification, which is what dominates the engine's start on a
 * small machine (measured here: about a third to a half of the start time).
 *
 * The archive belongs to one jar build and one JVM: both are recorded, and a mismatch means a new archive.
 * Engines run from the extracted copy, so a later Maven build cannot pull the jar from under a running engine.
 * Any failure here only costs speed: the caller then starts the plain jar.
 *
 * The extracted engine is started with `-cp <app jar>:<every library, in manifest order> <main class>`,
 * not with `-jar`: Spring Boot finds the jars whose `META-INF/resources` Tomcat serves (the Cockpit,
 * Tasklist and Admin plugin scripts) through `java.class.path`, which with `-jar` names only the app jar
 * and not the libraries its manifest adds, so every web app but Welcome stayed blank.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readJarManifest } from "./jar-manifest.js";

/** How the engine is launched: the jar to run and the JVM options that belong to it. */
export interface EngineLaunch {
  jar: string;
  /** Extra JVM options for this jar (the archive), added after the general ones. */
  jvmArgs: string[];
  /** What follows the JVM options: `-jar <jar>`, or `-cp <class path> <main class>`. */
  programArgs: string[];
  classDataSharing: boolean;
}

/**
 * Modest memory and a fast start: C1 only (startup matters more than peak throughput here), class data
 * sharing, and the serial collector, which suits a small heap on few cores.
 */
export const defaultJvmArgs: readonly string[] = [
  "-Xmx768m",
  "-XX:TieredStopAtLevel=1",
  "-Xshare:auto",
  "-XX:+UseSerialGC",
];

const appName = "camunda-engine";
const trainingTimeoutMs = 300_000;

/** `java -version` output: identifies the JVM build an archive was made with. */
export function javaIdentity(java: string): string {
  const result = spawnSync(java, ["-version"], { encoding: "utf8" });
  return `${result.stderr ?? ""}${result.stdout ?? ""}`.trim();
}

function archiveDir(targetDir: string, jarHash: string): string {
  return path.join(targetDir, `cds-${jarHash.slice(0, 12)}`);
}

/** Bumped when the archive layout changes, so archives made the old way are made again. */
const archiveFormat = "cds-3";
/** The class path and main class of the extracted engine, written beside the archive. */
const programFile = "program.json";

function stampContent(jarHash: string, identity: string): string {
  return `${archiveFormat}\n${jarHash}\n${createHash("sha256").update(identity).digest("hex")}\n`;
}

interface ExtractedProgram {
  mainClass: string;
  /** Relative to the archive folder, app jar first. */
  classPath: string[];
}

function programArgs(dir: string, program: ExtractedProgram): string[] {
  return [
    "-cp",
    program.classPath.map((entry) => path.join(dir, entry)).join(path.delimiter),
    program.mainClass,
  ];
}

/** The extracted app jar's manifest as a class path; undefined when it names no main class. */
async function extractedProgram(dir: string): Promise<ExtractedProgram | undefined> {
  const manifest = await readJarManifest(path.join(dir, `${appName}.jar`)).catch(() => undefined);
  if (!manifest?.mainClass) return undefined;
  return { mainClass: manifest.mainClass, classPath: [`${appName}.jar`, ...manifest.classPath] };
}

function launchFrom(dir: string, program: ExtractedProgram): EngineLaunch {
  const jsa = path.join(dir, `${appName}.jsa`);
  return {
    jar: path.join(dir, `${appName}.jar`),
    jvmArgs: [`-XX:SharedArchiveFile=${jsa}`],
    programArgs: programArgs(dir, program),
    classDataSharing: true,
  };
}

/** The launch with an archive when one exists for this jar build and this JVM. */
export function readyArchive(targetDir: string, jarHash: string, identity: string): EngineLaunch | undefined {
  const dir = archiveDir(targetDir, jarHash);
  const stamp = path.join(dir, "cds.stamp");
  if (!existsSync(stamp) || !existsSync(path.join(dir, `${appName}.jsa`))) return undefined;
  if (readFileSync(stamp, "utf8") !== stampContent(jarHash, identity)) return undefined;
  return launchFrom(dir, JSON.parse(readFileSync(path.join(dir, programFile), "utf8")) as ExtractedProgram);
}

/** Keeps the newest other archive folder (an engine may still run from it) and removes older ones. */
function pruneOldArchives(targetDir: string, keep: string): void {
  const others = readdirSync(targetDir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && entry.name.startsWith("cds-") && entry.name !== path.basename(keep),
    )
    .map((entry) => path.join(targetDir, entry.name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const dir of others.slice(1)) rmSync(dir, { recursive: true, force: true });
}

function run(java: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; log: string }) {
  return new Promise<number>((resolve) => {
    const fd = openSync(options.log, "a");
    const child = spawn(java, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    const timer = setTimeout(() => child.kill("SIGKILL"), trainingTimeoutMs);
    child.once("error", () => resolve(-1));
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
}

/**
 * Extracts `jar` and records its class archive with `java`. Returns the launch, or undefined (with the
 * reason through onProgress) when that did not work out.
 */
export async function createArchive(options: {
  jar: string;
  jarHash: string;
  java: string;
  identity: string;
  onProgress?: (line: string) => void;
}): Promise<EngineLaunch | undefined> {
  const targetDir = path.dirname(options.jar);
  const dir = archiveDir(targetDir, options.jarHash);
  pruneOldArchives(targetDir, dir);
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const log = path.join(targetDir, "cds-training.log");
  writeFileSync(log, "");
  options.onProgress?.("preparing class data sharing for faster engine starts (once per build)");

  const extracted = await run(
    options.java,
    ["-Djarmode=tools", "-jar", options.jar, "extract", "--destination", work],
    { cwd: targetDir, env: process.env, log },
  );
  if (extracted !== 0 || !existsSync(path.join(work, `${appName}.jar`))) {
    options.onProgress?.(
      `could not extract the engine jar (see ${log}); starting it without class data sharing`,
    );
    rmSync(work, { recursive: true, force: true });
    return undefined;
  }
  // The archive records the class path, so training has to run from the final location. The stamp,
  // written last, is what marks the folder as ready.
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  const program = await extractedProgram(dir);
  if (!program) {
    options.onProgress?.(
      "the extracted engine jar names no main class; starting the engine without class data sharing",
    );
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  writeFileSync(path.join(dir, programFile), `${JSON.stringify(program, null, 2)}\n`);

  // The training run builds a real engine on a throwaway H2 database with a throwaway admin user.
  const scratch = mkdtempSync(path.join(tmpdir(), "camunda-engine-cds-"));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("SPRING_DATASOURCE_")) delete env[name];
  Object.assign(env, {
    ENGINE_DATA_DIR: scratch,
    SERVER_PORT: "0",
    SERVER_ADDRESS: "127.0.0.1",
    CAMUNDA_BPM_ADMIN_USER_ID: "cdstraining",
    CAMUNDA_BPM_ADMIN_USER_PASSWORD: randomBytes(18).toString("base64url"),
  });
  const jsa = path.join(dir, `${appName}.jsa`);
  const trained = await run(
    options.java,
    [
      ...defaultJvmArgs,
      `-XX:ArchiveClassesAtExit=${jsa}`,
      "-Dspring.context.exit=onRefresh",
      ...programArgs(dir, program),
    ],
    { cwd: scratch, env, log },
  );
  rmSync(scratch, { recursive: true, force: true });
  if (trained !== 0 || !existsSync(jsa)) {
    options.onProgress?.(`could not record the class archive (see ${log}); starting the engine without it`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  writeFileSync(path.join(dir, "cds.stamp"), stampContent(options.jarHash, options.identity));
  return launchFrom(dir, program);
}
