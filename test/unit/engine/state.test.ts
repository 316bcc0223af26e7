import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type EngineState,
  isAlive,
  isEngineProcess,
  processMarker,
  readState,
  removeState,
  stateFile,
  writeState,
} from "#core/engine/state.js";

const sample: EngineState = {
  pid: 4242,
  port: 18080,
  host: "127.0.0.1",
  db: "h2",
  startedAt: "2026-01-01T00:00:00.000Z",
  logFile: "/tmp/engine.log",
};

describe("engine state file", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "engine-state-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("round-trips through engine.json and is gone after removeState", () => {
    assert.equal(readState(dir), undefined);
    writeState(dir, sample);
    assert.equal(stateFile(dir), path.join(dir, "engine.json"));
    assert.deepEqual(readState(dir), sample);
    removeState(dir);
    assert.equal(existsSync(stateFile(dir)), false);
    assert.equal(readState(dir), undefined);
  });

  it("treats an unreadable or incomplete state file as no engine", () => {
    writeFileSync(stateFile(dir), "{ not json");
    assert.equal(readState(dir), undefined);
    writeFileSync(stateFile(dir), JSON.stringify({ ...sample, pid: "4242" }));
    assert.equal(readState(dir), undefined);
    writeFileSync(stateFile(dir), JSON.stringify({ ...sample, db: "mysql" }));
    assert.equal(readState(dir), undefined);
    removeState(dir);
  });
});

describe("engine process identification", () => {
  it("recognises a process by the data-folder marker on its command line, and only for that folder", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "engine marker "));
    // A stand-in process that carries the marker like the JVM does (as an argument).
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", processMarker(dataDir)], {
      stdio: "ignore",
    });
    try {
      const pid = child.pid!;
      assert.equal(isAlive(pid), true);
      assert.equal(isEngineProcess(pid, dataDir), true);
      assert.equal(isEngineProcess(pid, `${dataDir}-other`), false);
      assert.equal(isEngineProcess(process.pid, dataDir), false);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      // Give node a moment to reap it; a zombie must count as gone either way.
      await sleep(50);
      assert.equal(isAlive(pid), false);
      assert.equal(isEngineProcess(pid, dataDir), false);
    } finally {
      child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("says a pid that does not exist is not alive", () => {
    // Linux pids stay below 2^22 (pid_max), so this one cannot exist.
    assert.equal(isAlive(2 ** 22 + 17), false);
  });
});
