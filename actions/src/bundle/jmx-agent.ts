/**
 * The Prometheus JMX exporter agent jar the CodeDeploy bundle carries to the hosts, where the
 * production compose file mounts it into the Run container. Its coordinates and sha256 come from the
 * engine manifest (engine/run-7.23.0.yaml, jmxExporter), so the hosts run byte for byte the agent the
 * local engine runs. It is taken from the local engine's build or the Maven repository when there,
 * and otherwise fetched once by Maven itself (`mvn dependency:get`, so the machine's Maven settings,
 * mirrors and proxies apply, as for the engine build) and kept in .local/cache/; every copy is checked
 * against the manifest's sha256 before it goes into a bundle. The hosts themselves never download it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { loadManifest, manifestFile } from "#core/fidelity/manifest.js";
import { UserError } from "#core/util/errors.js";
import { displayPath, localDir } from "#core/util/paths.js";

export interface AgentArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  sha256: string;
  /** <artifactId>-<version>.jar */
  fileName: string;
}

export function agentArtifact(root: string): AgentArtifact {
  const { artifact, version, sha256 } = loadManifest(manifestFile(root)).jmxExporter;
  const [groupId = "", artifactId = ""] = artifact.split(":");
  return { groupId, artifactId, version, sha256, fileName: `${artifactId}-${version}.jar` };
}

function sha256Of(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Where a copy may already be: the engine build, the Maven repository, this checkout's cache. */
export function agentCandidates(root: string, agent: AgentArtifact, home = homedir()): string[] {
  return [
    path.join(root, "engine", "target", "agents", agent.fileName),
    path.join(
      home,
      ".m2",
      "repository",
      ...agent.groupId.split("."),
      agent.artifactId,
      agent.version,
      agent.fileName,
    ),
    path.join(localDir(root), "cache", agent.fileName),
  ];
}

/** The path of a verified copy of the agent jar; downloads it when no local copy matches. */
export async function locateJmxAgent(
  root: string,
  options: { download?: (agent: AgentArtifact) => Promise<Buffer>; home?: string } = {},
): Promise<{ file: string; agent: AgentArtifact }> {
  const agent = agentArtifact(root);
  const candidates = agentCandidates(root, agent, options.home);
  for (const file of candidates)
    if (existsSync(file) && sha256Of(file) === agent.sha256) return { file, agent };

  let bytes: Buffer;
  try {
    bytes = await (options.download ?? mavenDownload)(agent);
  } catch (error) {
    throw new UserError(
      `the bundle needs ${agent.fileName} (engine/run-7.23.0.yaml, jmxExporter), which is not in ${candidates.map((file) => displayPath(file)).join(", ")} and could not be fetched with Maven (${(error as Error).message}); build the engine once (\`camunda-gitops engine build\`) or allow the download.`,
    );
  }
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== agent.sha256) {
    throw new UserError(
      `the downloaded ${agent.fileName} has sha256 ${actual}, but engine/run-7.23.0.yaml expects ${agent.sha256} for ${agent.fileName}; nothing was bundled. Check the manifest's jmxExporter entry.`,
    );
  }
  const cached = candidates[2]!;
  mkdirSync(path.dirname(cached), { recursive: true });
  const temporary = `${cached}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, cached);
  return { file: cached, agent };
}

/** Fetches the artifact with Maven into the user's Maven repository and returns its bytes. */
async function mavenDownload(agent: AgentArtifact): Promise<Buffer> {
  const coordinates = `${agent.groupId}:${agent.artifactId}:${agent.version}`;
  try {
    // Into the repository agentCandidates reads ($HOME/.m2), which Java's user.home need not be.
    execFileSync(
      "mvn",
      [
        "-B",
        "-q",
        "dependency:get",
        "-Dtransitive=false",
        `-Dartifact=${coordinates}`,
        `-Dmaven.repo.local=${path.join(homedir(), ".m2", "repository")}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "")
      .trim()
      .split("\n")
      .pop();
    throw new Error(`mvn dependency:get ${coordinates} failed${stderr ? `: ${stderr}` : ""}`);
  }
  return readFileSync(agentCandidates("", agent)[1] as string);
}
