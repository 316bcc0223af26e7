import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  buildEngine,
  engineJar,
  engineSourceHash,
  engineStaleness,
  engineStamp,
  parseJavaMajor,
} from "#core/engine/build.js";
import { UserError } from "#core/util/errors.js";

/** A throwaway engine folder: pom.xml and a source tree, as engine/ has. */
function fakeEngineDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "engine-build-"));
  writeFileSync(path.join(dir, "pom.xml"), "<project/>\n");
  mkdirSync(path.join(dir, "src/main/java/x"), { recursive: true });
  mkdirSync(path.join(dir, "src/main/resources"), { recursive: true });
  writeFileSync(path.join(dir, "src/main/java/x/A.java"), "class A {}\n");
  writeFileSync(path.join(dir, "src/main/resources/application.yaml"), "server:\n  port: 8080\n");
  return dir;
}

function fakeBuild(dir: string): void {
  mkdirSync(path.join(dir, "target"), { recursive: true });
  writeFileSync(engineJar(dir), "jar");
  writeFileSync(engineStamp(dir), `${engineSourceHash(dir)}\n`);
}

describe("engine staleness", () => {
  let dir: string;
  beforeEach(() => {
    dir = fakeEngineDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is stale without a jar, and without a stamp next to the jar", () => {
    assert.deepEqual(engineStaleness(dir), { stale: true, reason: "no jar" });
    mkdirSync(path.join(dir, "target"));
    writeFileSync(engineJar(dir), "jar");
    assert.deepEqual(engineStaleness(dir), { stale: true, reason: "no stamp" });
  });

  it("is fresh right after a build and stale once a source file changes", () => {
    fakeBuild(dir);
    assert.deepEqual(engineStaleness(dir), { stale: false });
    writeFileSync(path.join(dir, "src/main/resources/application.yaml"), "server:\n  port: 9090\n");
    assert.deepEqual(engineStaleness(dir), { stale: true, reason: "sources changed" });
  });

  it("notices a new source file and a changed pom.xml", () => {
    fakeBuild(dir);
    writeFileSync(path.join(dir, "src/main/java/x/B.java"), "class B {}\n");
    assert.equal(engineStaleness(dir).stale, true);
    fakeBuild(dir);
    writeFileSync(path.join(dir, "pom.xml"), "<project><!-- changed --></project>\n");
    assert.equal(engineStaleness(dir).stale, true);
  });

  it("ignores what Maven writes into target/", () => {
    fakeBuild(dir);
    writeFileSync(path.join(dir, "target", "something.class"), "x");
    assert.deepEqual(engineStaleness(dir), { stale: false });
  });

  it("hashes names and contents, so moving content between files changes the hash", () => {
    const before = engineSourceHash(dir);
    writeFileSync(path.join(dir, "src/main/java/x/A.java"), "");
    writeFileSync(
      path.join(dir, "src/main/resources/application.yaml"),
      "class A {}\nserver:\n  port: 8080\n",
    );
    assert.notEqual(engineSourceHash(dir), before);
  });

  it("does not run Maven when the jar is up to date", async () => {
    fakeBuild(dir);
    const lines: string[] = [];
    const result = await buildEngine({
      engineDir: dir,
      classDataSharing: false,
      onProgress: (line) => lines.push(line),
    });
    assert.equal(result.built, false);
    assert.equal(result.jar, engineJar(dir));
    assert.deepEqual(result.launch, {
      jar: engineJar(dir),
      jvmArgs: [],
      programArgs: ["-jar", engineJar(dir)],
      classDataSharing: false,
    });
    assert.deepEqual(lines, []);
  });

  it("reports a failed Maven build as a UserError with Maven's last lines, and leaves the jar stale", async () => {
    writeFileSync(
      path.join(dir, "pom.xml"),
      "<project><modelVersion>4.0.0</modelVersion><broken></project>\n",
    );
    await assert.rejects(
      buildEngine({ engineDir: dir, force: true, classDataSharing: false }),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, /^Building the local engine with Maven failed \(exit code \d+\)/);
        assert.ok(error.details.length > 0);
        assert.match(error.details.join("\n"), /pom\.xml|Non-parseable|ERROR/);
        return true;
      },
    );
    assert.equal(engineStaleness(dir).stale, true);
  });

  it("falls back to the plain jar when no class archive can be made from it", async () => {
    fakeBuild(dir); // not a real jar: extraction fails
    const lines: string[] = [];
    const result = await buildEngine({ engineDir: dir, onProgress: (line) => lines.push(line) });
    assert.equal(result.built, false);
    assert.deepEqual(result.launch, {
      jar: engineJar(dir),
      jvmArgs: [],
      programArgs: ["-jar", engineJar(dir)],
      classDataSharing: false,
    });
    assert.ok(lines.some((line) => line.startsWith("could not extract the engine jar")));
  });
});

describe("parseJavaMajor", () => {
  it("reads the major version from `java -version` output of old and new JDKs", () => {
    assert.equal(parseJavaMajor('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment'), 17);
    assert.equal(parseJavaMajor('java version "1.8.0_402"'), 8);
    assert.equal(parseJavaMajor('openjdk version "21" 2023-09-19'), 21);
    assert.equal(parseJavaMajor('openjdk version "22-ea" 2024-03-19'), 22);
    assert.equal(parseJavaMajor("bash: java: command not found"), undefined);
  });
});
