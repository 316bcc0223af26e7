import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { buildBundle } from "#core/bundle/build.js";
import { repoPath, repoRoot } from "../../support/repo.js";
import { readCentralDirectory } from "./zip-reader.js";

const work = mkdtempSync(path.join(tmpdir(), "bundle-determinism-"));
after(() => rmSync(work, { recursive: true, force: true }));
const fixtureLayout = [
  { from: "deploy/appspec.yml", to: "appspec.yml" },
  { from: "deploy/scripts/", to: "scripts/" },
];

describe("deterministic bundle", () => {
  test("two builds of the repository's bundle are byte-identical and the sha256 matches the file", async () => {
    const a = await buildBundle({ root: repoRoot, out: path.join(work, "a.zip") });
    const b = await buildBundle({ root: repoRoot, out: path.join(work, "b.zip") });
    assert.equal(a.sha256, b.sha256);
    assert.deepEqual(readFileSync(a.file), readFileSync(b.file));
    assert.equal(createHash("sha256").update(readFileSync(a.file)).digest("hex"), a.sha256);
    assert.equal(a.size, readFileSync(a.file).length);
  });

  test("entries are sorted, carry one fixed DOS timestamp and no extended timestamp, scripts stay 0755", async () => {
    const built = await buildBundle({ root: repoRoot, out: path.join(work, "layout.zip") });
    const entries = readCentralDirectory(built.file);
    const names = entries.map((e) => e.name);
    assert.deepEqual(
      names,
      [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
    );
    assert.ok(names.includes("appspec.yml"), "appspec.yml sits at the bundle root");
    assert.ok(names.includes("docker-compose.yml"));
    // The JVM metrics agent and its configuration, where docker-compose.yml mounts them from.
    assert.ok(names.includes("agents/jmx_prometheus_javaagent-1.0.1.jar"), "the JMX exporter agent");
    assert.ok(names.includes("jmx-exporter.yaml"));
    assert.equal(
      new Set(entries.map((e) => `${e.dosDate}/${e.dosTime}`)).size,
      1,
      "one timestamp for all entries",
    );
    assert.ok(
      entries.every((e) => e.extraLength === 0),
      "no extra fields (the UT field would carry a zone-dependent time)",
    );
    for (const hook of built.hooks) {
      const entry = entries.find((e) => e.name === hook.location);
      assert.ok(entry, `${hook.location} is in the zip`);
      assert.equal(entry.mode & 0o777, 0o755, `${hook.location} is executable in the zip`);
      assert.equal(entry.mode & 0o170000, 0o100000, `${hook.location} is a regular file`);
    }
    const lib = entries.find((e) => e.name === "scripts/lib.sh");
    assert.equal(
      lib?.mode !== undefined ? lib.mode & 0o777 : undefined,
      0o644,
      "the sourced helper is not a hook",
    );
    assert.deepEqual(
      built.hooks.map((h) => h.event),
      ["ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"],
    );
  });

  test("the bytes do not depend on the time zone of the machine that builds", () => {
    const script = path.join(work, "build-in-zone.mts");
    writeFileSync(
      script,
      `import { buildBundle } from ${JSON.stringify(repoPath("actions/src/bundle/build.ts"))};\n` +
        `const r = await buildBundle({ root: ${JSON.stringify(repoRoot)}, out: process.argv[2] });\nprocess.stdout.write(r.sha256);\n`,
    );
    const shaIn = (zone: string) => {
      const run = spawnSync(
        process.execPath,
        ["--import", "tsx", script, path.join(work, `${zone.replace("/", "-")}.zip`)],
        {
          env: { ...process.env, TZ: zone },
          encoding: "utf8",
        },
      );
      assert.equal(run.status, 0, run.stderr);
      return run.stdout.trim();
    };
    assert.equal(shaIn("UTC"), shaIn("Pacific/Kiritimati"));
  });

  test("only the executable bit of a file's mode matters (umask or group bits do not change the bytes)", async () => {
    const one = path.join(work, "mode-one");
    const two = path.join(work, "mode-two");
    cpSync(repoPath("test/unit/bundle/fixtures/valid"), one, { recursive: true });
    cpSync(repoPath("test/unit/bundle/fixtures/valid"), two, { recursive: true });
    chmodSync(path.join(one, "deploy/scripts/stop.sh"), 0o755);
    chmodSync(path.join(two, "deploy/scripts/stop.sh"), 0o775);
    chmodSync(path.join(two, "deploy/appspec.yml"), 0o664);
    const a = await buildBundle({ root: one, layout: fixtureLayout, out: path.join(work, "m1.zip") });
    const b = await buildBundle({ root: two, layout: fixtureLayout, out: path.join(work, "m2.zip") });
    assert.equal(a.sha256, b.sha256);
  });

  test("a changed script changes the sha256", async () => {
    const dir = path.join(work, "changed");
    cpSync(repoPath("test/unit/bundle/fixtures/valid"), dir, { recursive: true });
    const before = await buildBundle({ root: dir, layout: fixtureLayout, out: path.join(work, "c1.zip") });
    writeFileSync(
      path.join(dir, "deploy/scripts/stop.sh"),
      "#!/usr/bin/env bash\nset -euo pipefail\necho changed\n",
    );
    const afterChange = await buildBundle({
      root: dir,
      layout: fixtureLayout,
      out: path.join(work, "c2.zip"),
    });
    assert.notEqual(before.sha256, afterChange.sha256);
  });
});
