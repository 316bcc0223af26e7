import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseManifest } from "#core/engine/jar-manifest.js";

describe("jar manifest", () => {
  it("joins 72-byte continuation lines and keeps the class path order", () => {
    const manifest = [
      "Manifest-Version: 1.0",
      "Main-Class: camunda.gitops.engine.EngineApplication",
      "Class-Path: lib/camunda-bpm-spring-boot-starter-rest-7.23.0.jar lib/camu",
      " nda-engine-7.23.0.jar lib/a.jar",
      "",
      "Name: ignored/section",
      "Class-Path: lib/not-this.jar",
      "",
    ].join("\r\n");
    assert.deepEqual(parseManifest(manifest), {
      mainClass: "camunda.gitops.engine.EngineApplication",
      classPath: [
        "lib/camunda-bpm-spring-boot-starter-rest-7.23.0.jar",
        "lib/camunda-engine-7.23.0.jar",
        "lib/a.jar",
      ],
    });
  });

  it("reports no main class and an empty class path when the manifest has neither", () => {
    assert.deepEqual(parseManifest("Manifest-Version: 1.0\n"), { classPath: [] });
  });
});
