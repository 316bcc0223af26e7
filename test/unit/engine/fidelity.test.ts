/**
 * One engine in two packagings: engine/run-7.23.0.yaml (facts about the production image, written by
 * the team) against what the repository builds and starts. Maven resolves engine/pom.xml for real, so
 * a version that a BOM or a transitive dependency moves is caught, not only what the pom text says.
 * Each check is also shown failing on a deliberately broken manifest entry, so a pass means something.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { jmxExporterConfig, jmxExporterVersion } from "#core/engine/jvm-metrics.js";
import { fixedEngineEnvironment } from "#core/engine/launch-environment.js";
import {
  agentBuildDrift,
  applicationDrift,
  composeDrift,
  type Drift,
  dependencyDrift,
  launchDrift,
  parseDurationSeconds,
} from "#core/fidelity/drift.js";
import { type FidelityManifest, loadManifest, manifestFile, parseManifest } from "#core/fidelity/manifest.js";
import {
  parseDependencyList,
  type ResolvedDependencies,
  resolveEngineDependencies,
} from "#core/fidelity/maven.js";
import { repoPath, repoRoot } from "../../support/repo.js";

const manifest = loadManifest(manifestFile(repoRoot));
const applicationYaml = readFileSync(repoPath("engine/src/main/resources/application.yaml"), "utf8");
const composeFiles = ["deploy/docker-compose.yml", "docker-compose.dev.yml"].map((file) => ({
  file,
  text: readFileSync(repoPath(file), "utf8"),
}));

/** The manifest with one entry changed, as a teammate's wrong edit (or a silent upgrade) would. */
function broken(edit: (copy: FidelityManifest) => void): FidelityManifest {
  const copy = structuredClone(manifest);
  edit(copy);
  return copy;
}

const show = (drift: Drift[]) => drift.map((d) => `${d.where}: ${d.message}`).join("\n");

describe("engine fidelity: engine/ and the compose files match engine/run-7.23.0.yaml", () => {
  let resolved: ResolvedDependencies;
  before(async () => {
    resolved = await resolveEngineDependencies(repoPath("engine"));
  });

  test("engine/pom.xml resolves every manifest artifact at Run 7.23.0's version, and none that Run lacks", () => {
    assert.ok(resolved.size > 50, `Maven resolved only ${resolved.size} artifacts`);
    assert.deepEqual(dependencyDrift(manifest, resolved), []);
  });

  test("a drifted version, a missing artifact and an extra connector are each reported", () => {
    const wrongGroovy = dependencyDrift(
      broken((m) => {
        m.dependencies["org.apache.groovy:groovy"] = "4.0.26";
      }),
      resolved,
    );
    assert.match(
      show(wrongGroovy),
      /org\.apache\.groovy:groovy resolves to 4\.0\.22, Run 7\.23\.0 has 4\.0\.26/,
    );

    const withHttp = new Map(resolved);
    withHttp.set("org.camunda.connect:camunda-connect-http-client", "7.23.0");
    withHttp.delete("org.camunda.spin:camunda-spin-dataformat-all");
    withHttp.set("org.postgresql:postgresql", "42.7.5");
    const messages = show(dependencyDrift(manifest, withHttp));
    assert.match(messages, /camunda-connect-http-client is on the class path but not in Run 7\.23\.0/);
    assert.match(messages, /camunda-spin-dataformat-all is not on the class path/);
    assert.match(
      messages,
      /org\.postgresql:postgresql resolves to 42\.7\.5, Run 7\.23\.0 has 42\.5\.5; pin 42\.5\.5/,
    );
  });

  test("application.yaml gives every behaviour setting the manifest's value and sets nothing unexplained", () => {
    assert.deepEqual(applicationDrift(manifest, applicationYaml), []);
    const filter = applicationDrift(
      manifest,
      applicationYaml.replace(
        "camunda:\n  bpm:\n",
        "camunda:\n  bpm:\n    filter:\n      create: All tasks\n",
      ),
    );
    assert.match(
      show(filter),
      /camunda\.bpm\.filter\.create is "All tasks", both packagings must have "false"/,
    );
    const unexplained = applicationDrift(
      manifest,
      `${applicationYaml}\nlogging:\n  level:\n    root: debug\n`,
    );
    assert.match(show(unexplained), /logging\.level\.root is set here but the manifest does not say/);
  });

  test("the local engine starts with the image's launch environment (TZ=UTC)", () => {
    assert.deepEqual(launchDrift(manifest, { ...fixedEngineEnvironment }), []);
    assert.match(show(launchDrift(manifest, {})), /TZ is not set, the production image sets "UTC"/);
  });

  for (const { file, text } of composeFiles) {
    test(`${file}: command, environment, settings and stop grace period match the manifest`, () => {
      assert.deepEqual(composeDrift(manifest, text, file), []);
    });
  }

  test("compose drift is reported: default command, DB_* variables, the start filter, a short grace period", () => {
    const production = composeFiles[0]!.text;
    const drifted = production
      .replace(/ {4}command:\n(?: {6}.*\n)+/, "")
      .replace("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE:", "DB_CONN_MAXACTIVE:")
      .replace('CAMUNDA_BPM_FILTER_CREATE: "false"', 'CAMUNDA_BPM_FILTER_CREATE: "All tasks"')
      .replace("stop_grace_period: 75s", "stop_grace_period: 10s");
    const messages = show(composeDrift(manifest, drifted, "deploy/docker-compose.yml"));
    assert.match(messages, /command is the image's default \(camunda\.sh, which starts java without exec\)/);
    assert.match(messages, /DB_CONN_MAXACTIVE is set but Run ignores it/);
    assert.match(messages, /SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE must be set/);
    assert.match(messages, /camunda\.bpm\.filter\.create is "All tasks", both packagings must have "false"/);
    assert.match(messages, /stop_grace_period is 10 s, but Spring may take 2 x 30 s to shut down/);
    // Without the variable, Run's default.yml decides: its "All tasks" filter is drift too.
    const fromDefaults = production.replace(/ {6}CAMUNDA_BPM_FILTER_CREATE: "false"\n/, "");
    assert.match(
      show(composeDrift(manifest, fromDefaults, "x")),
      /camunda\.bpm\.filter\.create is "All tasks" \(Run's default\.yml\)/,
    );
  });

  const agentBuild = {
    pomXml: readFileSync(repoPath("engine/pom.xml"), "utf8"),
    localVersion: jmxExporterVersion,
    localConfig: path
      .relative(repoRoot, jmxExporterConfig(repoPath("engine")))
      .split(path.sep)
      .join("/"),
  };

  test("the JMX exporter agent: engine/pom.xml and the local launch use the manifest's version and configuration", () => {
    assert.deepEqual(agentBuildDrift(manifest, agentBuild), []);
    const older = show(
      agentBuildDrift(
        broken((m) => {
          m.jmxExporter.version = "0.20.0";
        }),
        agentBuild,
      ),
    );
    assert.match(
      older,
      /engine\/pom\.xml: jmx-exporter\.version is 1\.0\.1, the manifest's agent is 0\.20\.0/,
    );
    assert.match(older, /the local engine starts agent 1\.0\.1, the manifest's is 0\.20\.0/);
  });

  test("compose drift is reported for the agent: not in JAVA_OPTS, jar not mounted, config writable, port on every interface", () => {
    const production = composeFiles[0]!.text;
    const drifted = production
      .replace(/-javaagent:\S+ /, "")
      .replace(/ {6}- \.\/agents\/.*\n/, "")
      .replace(
        "./jmx-exporter.yaml:/camunda/configuration/jmx-exporter.yaml:ro",
        "./jmx-exporter.yaml:/camunda/configuration/jmx-exporter.yaml",
      )
      .replace('"127.0.0.1:9404:9404"', '"9404:9404"');
    const messages = show(composeDrift(manifest, drifted, "deploy/docker-compose.yml"));
    assert.match(
      messages,
      /JAVA_OPTS must start the JVM metrics agent: -javaagent:\/camunda\/javaagent\/jmx_prometheus_javaagent-1\.0\.1\.jar=9404:/,
    );
    assert.match(messages, /\/camunda\/javaagent\/jmx_prometheus_javaagent-1\.0\.1\.jar must be mounted/);
    assert.match(messages, /\/camunda\/configuration\/jmx-exporter\.yaml must be mounted read-only/);
    assert.match(messages, /port 9404 \(JVM metrics\) must be published once, on 127\.0\.0\.1 only/);
    // A manifest naming another agent version makes both compose files drift.
    const newer = broken((m) => {
      m.jmxExporter.version = "1.1.0";
      m.jmxExporter.containerJar = "/camunda/javaagent/jmx_prometheus_javaagent-1.1.0.jar";
    });
    for (const { file, text } of composeFiles)
      assert.match(
        show(composeDrift(newer, text, file)),
        /jmx_prometheus_javaagent-1\.1\.0\.jar must be mounted/,
      );
  });

  test("a deliberately broken manifest entry makes the repository drift (the evidence the issue asks for)", () => {
    const wrong = broken((m) => {
      m.dependencies["org.graalvm.js:js"] = "23.0.1";
      m.settings["camunda.bpm.history-level"] = { value: "audit", default: "full" };
    });
    const all = [
      ...dependencyDrift(wrong, resolved),
      ...applicationDrift(wrong, applicationYaml),
      ...composeFiles.flatMap(({ file, text }) => composeDrift(wrong, text, file)),
    ];
    assert.match(show(all), /org\.graalvm\.js:js resolves to 21\.3\.12, Run 7\.23\.0 has 23\.0\.1/);
    assert.match(
      show(all),
      /engine\/src\/main\/resources\/application\.yaml: camunda\.bpm\.history-level is "full" \(not set\)/,
    );
    assert.match(
      show(all),
      /deploy\/docker-compose\.yml \(service camunda\): camunda\.bpm\.history-level is "full"/,
    );
    assert.match(
      show(all),
      /docker-compose\.dev\.yml \(service camunda\): camunda\.bpm\.history-level is "full"/,
    );
  });
});

describe("engine manifest: parsing and helpers", () => {
  test("a malformed manifest is one sentence naming the file and the path", () => {
    assert.throws(
      () => parseManifest("image: camunda/camunda-bpm-platform:latest\n", "engine/run-7.23.0.yaml"),
      /engine\/run-7\.23\.0\.yaml: image /,
    );
    assert.throws(() => parseManifest("a: [", "engine/run-7.23.0.yaml"), /is not valid YAML/);
  });

  test("Maven's dependency:list lines, with and without classifier", () => {
    const parsed = parseDependencyList(
      [
        "The following files have been resolved:",
        "   org.camunda.feel:feel-engine:jar:scala-shaded:1.19.1:compile -- module feel.engine",
        "   org.postgresql:postgresql:jar:42.5.5:runtime",
        "   not a dependency line",
      ].join("\n"),
    );
    assert.deepEqual(
      [...parsed],
      [
        ["org.camunda.feel:feel-engine:scala-shaded", "1.19.1"],
        ["org.postgresql:postgresql", "42.5.5"],
      ],
    );
  });

  test("durations as Compose and Spring write them", () => {
    assert.equal(parseDurationSeconds("75s"), 75);
    assert.equal(parseDurationSeconds("1m30s"), 90);
    assert.equal(parseDurationSeconds("30"), 30);
    assert.equal(parseDurationSeconds("500ms"), 0.5);
    assert.equal(parseDurationSeconds("soon"), undefined);
  });
});
