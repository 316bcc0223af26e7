/**
 * Which engine `plan`/`release`/`drift`/`diff --env local` talk to: the engine this checkout runs, on
 * whatever port it was started, over environments/local.yaml's URL; CAMUNDA_URL over both. The running
 * engine is played by a process carrying the engine's data-folder marker (no JVM needed for the choice).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultDataDir } from "#core/engine/local-engine.js";
import { runningLocalEngine } from "#core/engine/running.js";
import { processMarker } from "#core/engine/state.js";
import { environmentsDir, loadEnvironment } from "#core/environments/load.js";
import { chooseEngine, connect } from "#core/release/connect.js";
import { repoRoot } from "../../support/repo.js";

const dir = environmentsDir(repoRoot);
const local = (env: NodeJS.ProcessEnv = {}) => loadEnvironment("local", { dir, env });

describe("the engine a command for an environment talks to", () => {
  const root = mkdtempSync(path.join(tmpdir(), "connect-"));
  const dataDir = defaultDataDir(root);
  let fakeEngine: ChildProcess;

  before(() => {
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(path.join(root, "environments"));
    copyFileSync(path.join(dir, "local.yaml"), path.join(root, "environments", "local.yaml"));
    fakeEngine = spawn(
      process.execPath,
      ["-e", "setInterval(() => {}, 1000)", "--", processMarker(dataDir)],
      {
        stdio: "ignore",
      },
    );
    writeFileSync(
      path.join(dataDir, "engine.json"),
      JSON.stringify({
        pid: fakeEngine.pid,
        port: 18_123,
        host: "127.0.0.1",
        db: "h2",
        startedAt: new Date().toISOString(),
        logFile: path.join(dataDir, "engine.log"),
      }),
    );
  });
  after(() => {
    fakeEngine.kill();
    rmSync(root, { recursive: true, force: true });
  });

  it("local: the engine this checkout runs, on its own port, and says so", () => {
    const chosen = chooseEngine(local(), { env: {}, localEngine: runningLocalEngine(root) });
    assert.equal(chosen.restUrl, "http://127.0.0.1:18123/engine-rest");
    assert.match(
      chosen.why,
      new RegExp(`the local engine of this checkout \\(pid ${fakeEngine.pid}, port 18123, h2\\)`),
    );
    assert.match(chosen.why, /set CAMUNDA_URL to use another/);
  });

  it("an explicit CAMUNDA_URL wins over the running engine", () => {
    const env = { CAMUNDA_URL: "https://engine.example/engine-rest" };
    assert.deepEqual(chooseEngine(local(env), { env, localEngine: runningLocalEngine(root) }), {
      restUrl: "https://engine.example/engine-rest",
      why: "from CAMUNDA_URL",
    });
  });

  it("connect() builds the client and the release target for the running engine, with the stored credentials", () => {
    const env = { CAMUNDA_USERNAME: "someone", CAMUNDA_PASSWORD: "not-a-secret" };
    const connection = connect("local", { root, env, localEngine: runningLocalEngine(root) });
    assert.equal(connection.target.restUrl, "http://127.0.0.1:18123/engine-rest");
    assert.match(
      connection.engine,
      /^http:\/\/127\.0\.0\.1:18123\/engine-rest \(the local engine of this checkout/,
    );
  });

  it("another environment keeps its file's URL; so does local when no engine runs here", () => {
    const dev = loadEnvironment("dev", { dir, env: {} });
    const chosen = chooseEngine(dev, { env: {}, localEngine: runningLocalEngine(root) });
    assert.equal(chosen.restUrl, dev.config.camunda.restUrl.replace(/\/+$/, ""));
    assert.match(chosen.why, /^from environments\/dev\.yaml; set CAMUNDA_URL to use another$/);
    const elsewhere = mkdtempSync(path.join(tmpdir(), "connect-none-"));
    try {
      const none = chooseEngine(local(), { env: {}, localEngine: runningLocalEngine(elsewhere) });
      assert.equal(none.restUrl, local().config.camunda.restUrl.replace(/\/+$/, ""));
      assert.match(none.why, /no local engine runs in this checkout/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
