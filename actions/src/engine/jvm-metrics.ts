/**
 * The Prometheus JMX exporter agent in the local engine's JVM, as production runs it in the Run
 * container: the same agent version (engine/pom.xml copies it to target/agents/ at build time) and the
 * same configuration file (engine/jmx-exporter.yaml). engine/run-7.23.0.yaml records both, and the
 * fidelity test keeps the local launch, the pom and the compose files in line with it.
 */
import { existsSync } from "node:fs";
import path from "node:path";

/** The agent's version; engine/pom.xml's jmx-exporter.version and the manifest's jmxExporter.version. */
export const jmxExporterVersion = "1.0.1";
/** The port production's agent listens on inside the container (the image's EXPOSE 9404). */
export const jmxExporterPort = 9404;

export function jmxAgentJar(engineDir: string): string {
  return path.join(engineDir, "target", "agents", `jmx_prometheus_javaagent-${jmxExporterVersion}.jar`);
}

export function jmxExporterConfig(engineDir: string): string {
  return path.join(engineDir, "jmx-exporter.yaml");
}

/**
 * The -javaagent option that serves JVM metrics on host:port/metrics, or undefined (with the reason)
 * when the build has no agent: the engine then starts without JVM metrics rather than not at all.
 */
export function jmxAgentOption(
  engineDir: string,
  host: string,
  port: number,
): { option: string } | { missing: string } {
  const jar = jmxAgentJar(engineDir);
  const config = jmxExporterConfig(engineDir);
  for (const file of [jar, config]) if (!existsSync(file)) return { missing: file };
  return { option: `-javaagent:${jar}=${host}:${port}:${config}` };
}
