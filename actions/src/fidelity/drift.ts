/**
 * Drift between the engine manifest (engine/run-7.23.0.yaml) and what the repository actually builds
 * and starts: the resolved class path of engine/pom.xml, application.yaml, the local launch
 * environment, and the compose files that run the production image. Each check is a pure function
 * returning findings, one sentence each, naming the file and what to change.
 */
import { parse } from "yaml";
import type { FidelityManifest } from "./manifest.js";
import type { ResolvedDependencies } from "./maven.js";

export interface Drift {
  /** The file (or artifact) that disagrees with the manifest. */
  where: string;
  message: string;
}

/**
 * Spring's relaxed binding reduced to a comparable form: CAMUNDA_BPM_FILTER_CREATE,
 * camunda.bpm.filter.create and camunda.bpm.filter-create all become "camundabpmfiltercreate".
 */
export function canonicalKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

function lookup(map: Record<string, string>, key: string): string | undefined {
  const wanted = canonicalKey(key);
  for (const [name, value] of Object.entries(map)) if (canonicalKey(name) === wanted) return value;
  return undefined;
}

export function dependencyDrift(
  manifest: FidelityManifest,
  resolved: ResolvedDependencies,
  where = "engine/pom.xml",
): Drift[] {
  const drift: Drift[] = [];
  for (const [coordinates, version] of Object.entries(manifest.dependencies)) {
    const actual = resolved.get(coordinates);
    if (actual === undefined) {
      drift.push({ where, message: `${coordinates} is not on the class path; Run 7.23.0 has ${version}.` });
    } else if (actual !== version) {
      drift.push({
        where,
        message: `${coordinates} resolves to ${actual}, Run 7.23.0 has ${version}; pin ${version}.`,
      });
    }
  }
  for (const [coordinates, why] of Object.entries(manifest.absentDependencies)) {
    const present = [...resolved.keys()].find(
      (key) => key === coordinates || key.startsWith(`${coordinates}:`),
    );
    if (present) {
      drift.push({
        where,
        message: `${present} is on the class path but not in Run 7.23.0 (${why}); remove it.`,
      });
    }
  }
  return drift;
}

/** `a: {b: 1}` → {"a.b": "1"}; lists are kept as JSON text (none of the compared settings is a list). */
export function flattenYaml(value: unknown, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      Object.assign(out, flattenYaml(inner, prefix ? `${prefix}.${key}` : key));
    }
  } else if (prefix) {
    out[prefix] = Array.isArray(value) ? JSON.stringify(value) : value === null ? "" : String(value);
  }
  return out;
}

export function applicationDrift(
  manifest: FidelityManifest,
  applicationYaml: string,
  where = "engine/src/main/resources/application.yaml",
): Drift[] {
  const drift: Drift[] = [];
  const local = flattenYaml(parse(applicationYaml));
  for (const [key, setting] of Object.entries(manifest.settings)) {
    const configured = lookup(local, key);
    const value = configured ?? lookup(manifest.localImplicit, key) ?? setting.default;
    if (value !== setting.value) {
      drift.push({
        where,
        message: `${key} is ${JSON.stringify(value)}${configured === undefined ? " (not set)" : ""}, both packagings must have ${JSON.stringify(setting.value)}.`,
      });
    }
  }
  const known = new Set(
    [...Object.keys(manifest.settings), ...Object.keys(manifest.localOnly)].map(canonicalKey),
  );
  for (const key of Object.keys(local)) {
    if (!known.has(canonicalKey(key))) {
      drift.push({
        where,
        message: `${key} is set here but the manifest does not say how Run configures it; add it to settings (same in both) or localOnly (with the reason it changes no behaviour).`,
      });
    }
  }
  return drift;
}

export function launchDrift(
  manifest: FidelityManifest,
  localEnvironment: Record<string, string>,
  where = "the local engine's launch environment",
): Drift[] {
  const drift: Drift[] = [];
  for (const [name, value] of Object.entries(manifest.launch.environment)) {
    if (localEnvironment[name] !== value) {
      drift.push({
        where,
        message: `${name} is ${localEnvironment[name] === undefined ? "not set" : JSON.stringify(localEnvironment[name])}, the production image sets ${JSON.stringify(value)}.`,
      });
    }
  }
  return drift;
}

/** "75s", "1m30s", "90" (seconds) → seconds; undefined when unparsable. */
export function parseDurationSeconds(text: string | number | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (typeof text === "number") return text;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(trimmed);
  if (!match || trimmed === "") return undefined;
  const [, h, m, s, ms] = match;
  return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0) + Number(ms ?? 0) / 1000;
}

interface ComposeService {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  stop_grace_period?: string;
  volumes?: Array<string | { source?: string; target?: string; read_only?: boolean }>;
  ports?: Array<string | number | { target?: number; published?: string | number; host_ip?: string }>;
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const index = entry.indexOf("=");
        return index < 0 ? [entry, ""] : [entry.slice(0, index), entry.slice(index + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value == null ? "" : String(value)]),
  );
}

const normaliseSpace = (text: string) => text.replace(/\s+/g, " ").trim();

/**
 * The engine service of a compose file (the one running the manifest's image) against the manifest:
 * image, command, launch environment, required and ignored variables, settings, and a stop grace
 * period that covers Spring's shutdown phases.
 */
export function composeDrift(manifest: FidelityManifest, composeYaml: string, where: string): Drift[] {
  const drift: Drift[] = [];
  const compose = parse(composeYaml) as { services?: Record<string, ComposeService> };
  const entry = Object.entries(compose.services ?? {}).find(([, service]) =>
    service.image?.startsWith("camunda/camunda-bpm-platform:"),
  );
  if (!entry) return [{ where, message: `no service runs ${manifest.image}.` }];
  const [name, service] = entry;
  const at = `${where} (service ${name})`;
  if (service.image !== manifest.image) {
    drift.push({ where: at, message: `runs ${service.image}, the manifest describes ${manifest.image}.` });
  }

  const expected = manifest.launch.production.command;
  const actual = typeof service.command === "string" ? [service.command] : (service.command ?? []);
  // Compose writes $$ for a literal $.
  const unescaped = actual.map((part) => normaliseSpace(part.replaceAll("$$", "$")));
  if (JSON.stringify(unescaped) !== JSON.stringify(expected.map(normaliseSpace))) {
    drift.push({
      where: at,
      message: `command is ${actual.length === 0 ? "the image's default (camunda.sh, which starts java without exec)" : JSON.stringify(unescaped)}; it must be the manifest's launch.production.command.`,
    });
  }

  const env = environmentOf(service);
  for (const [variable, value] of Object.entries(manifest.launch.environment)) {
    if (env[variable] !== value) {
      drift.push({
        where: at,
        message: `${variable} is ${env[variable] === undefined ? "not set" : JSON.stringify(env[variable])}, must be ${JSON.stringify(value)}.`,
      });
    }
  }
  for (const variable of manifest.operations.requiredEnvironment) {
    if (!(variable in env)) drift.push({ where: at, message: `${variable} must be set.` });
  }
  for (const variable of manifest.operations.ignoredEnvironment) {
    if (variable in env) {
      drift.push({
        where: at,
        message: `${variable} is set but Run ignores it with this command; use Spring's variable instead (see operations in the manifest).`,
      });
    }
  }

  for (const [key, setting] of Object.entries(manifest.settings)) {
    const fromEnv = lookup(env, key);
    const value = fromEnv ?? lookup(manifest.runDefaults, key) ?? setting.default;
    if (fromEnv?.includes("${")) {
      drift.push({
        where: at,
        message: `${key} comes from ${fromEnv}; it must be the literal ${JSON.stringify(setting.value)}.`,
      });
    } else if (value !== setting.value) {
      drift.push({
        where: at,
        message: `${key} is ${JSON.stringify(value)}${fromEnv === undefined ? " (Run's default.yml)" : ""}, both packagings must have ${JSON.stringify(setting.value)}.`,
      });
    }
  }

  drift.push(...agentDrift(manifest, service, env, at));

  const phase = parseDurationSeconds(lookup(env, "spring.lifecycle.timeout-per-shutdown-phase") ?? "30s");
  const grace = parseDurationSeconds(service.stop_grace_period ?? "10s");
  const { phases, marginSeconds } = manifest.operations.shutdown;
  if (phase === undefined || grace === undefined) {
    drift.push({
      where: at,
      message: "stop_grace_period or the shutdown phase timeout cannot be read as a duration.",
    });
  } else if (grace < phases * phase + marginSeconds) {
    drift.push({
      where: at,
      message: `stop_grace_period is ${grace} s, but Spring may take ${phases} x ${phase} s to shut down; Docker would kill the engine mid-shutdown. Use at least ${phases * phase + marginSeconds}s.`,
    });
  }
  return drift;
}

/**
 * The JMX exporter agent in a compose file's engine service: JAVA_OPTS starts the manifest's agent
 * with its configuration on its port, both files are mounted read-only where JAVA_OPTS names them
 * (the jar under its Maven file name, so the version cannot differ from the manifest's), and the
 * port is published on the host's loopback only (JVM internals are not for the network).
 */
function agentDrift(
  manifest: FidelityManifest,
  service: ComposeService,
  env: Record<string, string>,
  at: string,
): Drift[] {
  const drift: Drift[] = [];
  const agent = manifest.jmxExporter;
  const option = `-javaagent:${agent.containerJar}=${agent.port}:${agent.containerConfig}`;
  if (!(env.JAVA_OPTS ?? "").split(/\s+/).includes(option)) {
    drift.push({ where: at, message: `JAVA_OPTS must start the JVM metrics agent: ${option}.` });
  }
  const artifactId = agent.artifact.split(":")[1] ?? "";
  const mounts = (service.volumes ?? []).map((volume) => {
    if (typeof volume !== "string")
      return { source: volume.source ?? "", target: volume.target ?? "", readOnly: !!volume.read_only };
    const [source = "", target = "", mode = ""] = volume.split(":");
    return { source, target, readOnly: mode.split(",").includes("ro") };
  });
  const wanted = [
    { target: agent.containerJar, file: `${artifactId}-${agent.version}.jar` },
    { target: agent.containerConfig, file: agent.config.split("/").at(-1) ?? "" },
  ];
  for (const { target, file } of wanted) {
    const mount = mounts.find((m) => m.target === target);
    if (!mount) drift.push({ where: at, message: `${target} must be mounted (${file}).` });
    else if (mount.source.split("/").at(-1) !== file)
      drift.push({ where: at, message: `${target} is mounted from ${mount.source}; it must be ${file}.` });
    else if (!mount.readOnly)
      drift.push({ where: at, message: `${target} must be mounted read-only (:ro).` });
  }
  const published = (service.ports ?? []).map(String).filter((p) => p.endsWith(`:${agent.port}`));
  if (published.length !== 1 || !published[0]?.startsWith("127.0.0.1:")) {
    drift.push({
      where: at,
      message: `port ${agent.port} (JVM metrics) must be published once, on 127.0.0.1 only, as "127.0.0.1:${agent.port}:${agent.port}".`,
    });
  }
  return drift;
}

/**
 * The agent outside the compose files: engine/pom.xml copies the manifest's version next to the local
 * jar, the local launch names that copy and the manifest's configuration file.
 */
export function agentBuildDrift(
  manifest: FidelityManifest,
  build: { pomXml: string; localVersion: string; localConfig: string },
): Drift[] {
  const drift: Drift[] = [];
  const agent = manifest.jmxExporter;
  const [groupId, artifactId] = agent.artifact.split(":");
  const pomVersion = /<jmx-exporter\.version>([^<]+)<\/jmx-exporter\.version>/.exec(build.pomXml)?.[1];
  if (pomVersion !== agent.version)
    drift.push({
      where: "engine/pom.xml",
      message: `jmx-exporter.version is ${pomVersion ?? "not set"}, the manifest's agent is ${agent.version}.`,
    });
  if (
    !build.pomXml.includes(`<groupId>${groupId}</groupId>`) ||
    !build.pomXml.includes(`<artifactId>${artifactId}</artifactId>`)
  )
    drift.push({ where: "engine/pom.xml", message: `does not copy ${agent.artifact} to target/agents/.` });
  if (build.localVersion !== agent.version)
    drift.push({
      where: "actions/src/engine/jvm-metrics.ts",
      message: `the local engine starts agent ${build.localVersion}, the manifest's is ${agent.version}.`,
    });
  if (build.localConfig !== agent.config)
    drift.push({
      where: "actions/src/engine/jvm-metrics.ts",
      message: `the local engine reads ${build.localConfig}, the manifest's configuration is ${agent.config}.`,
    });
  return drift;
}
