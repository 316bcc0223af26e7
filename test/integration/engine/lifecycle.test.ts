/**
 * The local engine's lifecycle on a real Camunda 7.23 engine of its own (temporary data folder, free
 * port), independent of the shared engine the test runner starts: start, health check without
 * credentials, basic auth enforced, idempotent start, port conflict, stop with no process left,
 * restart on the same H2 files, and a clear error when the stored password no longer matches.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  credentialsFile,
  type EngineHandle,
  engineStatus,
  findFreePort,
  isPortFree,
  startEngine,
  stopEngine,
} from "#core/engine/local-engine.js";
import { isAlive, processMarker } from "#core/engine/state.js";
import { UserError } from "#core/util/errors.js";
import { engineDir } from "../../support/repo.js";

// Force the generated-password path even where the caller's shell sets the admin variables.
const noAdminEnv = { CAMUNDA_BPM_ADMIN_USER_ID: undefined, CAMUNDA_BPM_ADMIN_USER_PASSWORD: undefined };

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** Pids of live processes whose command line carries this data folder's engine marker (Linux /proc). */
function markedProcesses(dataDir: string): number[] {
  if (!existsSync("/proc/self/cmdline")) return [];
  const marker = processMarker(dataDir);
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(marker) && isAlive(Number(pid))
        );
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

async function status(url: string, authorization?: string): Promise<number> {
  const response = await fetch(url, authorization ? { headers: { authorization } } : {});
  await response.body?.cancel();
  return response.status;
}

describe("local engine lifecycle (own engine on a free port)", () => {
  let dataDir: string;
  let port: number;
  let engine: EngineHandle | undefined;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "engine-lifecycle-"));
    port = await findFreePort();
  });

  after(async () => {
    // Whatever happened above, leave no engine behind.
    await stopEngine({ dataDir }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts, generating the admin password into credentials.json (0600)", async () => {
    const progress: string[] = [];
    engine = await startEngine({
      engineDir,
      port,
      dataDir,
      env: noAdminEnv,
      onProgress: (line) => progress.push(line),
    });
    assert.equal(engine.port, port);
    assert.equal(engine.db, "h2");
    assert.equal(engine.alreadyRunning, false);
    assert.equal(engine.restUrl, `http://127.0.0.1:${port}/engine-rest`);
    assert.equal(engine.credentialsSource, "generated");
    assert.equal(engine.credentialsFile, credentialsFile(dataDir));
    assert.equal(statSync(credentialsFile(dataDir)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(credentialsFile(dataDir), "utf8")), engine.credentials);
    assert.ok(isAlive(engine.pid));
    assert.deepEqual(markedProcesses(dataDir), [engine.pid]);
    assert.ok(existsSync(engine.logFile));
    assert.ok(progress.some((line) => line.includes("waiting for")));
  });

  it("answers GET /engine-rest/engine without credentials (health check)", async () => {
    const response = await fetch(`${engine!.restUrl}/engine`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), [{ name: "default" }]);
  });

  it("rejects REST calls without or with wrong credentials (401) and accepts the admin user", async () => {
    const url = `${engine!.restUrl}/process-definition`;
    assert.equal(await status(url), 401);
    // An unknown user, not the admin with a wrong password: that would lock the admin for a few seconds.
    assert.equal(await status(url, basic("nobody", "wrong")), 401);
    assert.equal(await status(url, basic(engine!.credentials.username, engine!.credentials.password)), 200);
  });

  it("has logged no warning or error so far (start, health checks, rejected logins)", () => {
    const noisy = readFileSync(engine!.logFile, "utf8")
      .split("\n")
      .filter((line) => / WARN | ERROR |\[warning\]|\[error\]/.test(line));
    assert.deepEqual(noisy, []);
  });

  it("serves the webapps under /camunda/app/", async () => {
    assert.equal(await status(`${engine!.webappUrl}welcome/default/`), 200);
  });

  it("returns the running engine when started again (idempotent)", async () => {
    const again = await startEngine({ engineDir, dataDir, env: noAdminEnv });
    assert.equal(again.alreadyRunning, true);
    assert.equal(again.pid, engine!.pid);
    assert.deepEqual(again.credentials, engine!.credentials);
    const current = await engineStatus({ dataDir });
    assert.equal(current.running, true);
    assert.equal(current.answering, true);
    assert.equal(current.pid, engine!.pid);
  });

  it("refuses a second engine on the same port with a clear sentence", async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), "engine-lifecycle-other-"));
    try {
      await assert.rejects(
        startEngine({ engineDir, port, dataDir: otherDir, env: noAdminEnv }),
        (error: unknown) => {
          assert.ok(error instanceof UserError);
          assert.match(error.message, new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 is already in use;`));
          return true;
        },
      );
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("stops exactly its process: no java process left, state file gone, port free", async () => {
    const result = await stopEngine({ dataDir });
    assert.equal(result.wasRunning, true);
    assert.equal(result.pid, engine!.pid);
    assert.equal(isAlive(engine!.pid), false);
    assert.deepEqual(markedProcesses(dataDir), []);
    assert.equal(existsSync(path.join(dataDir, "engine.json")), false);
    assert.equal(await isPortFree(port), true);
    assert.equal((await engineStatus({ dataDir })).running, false);
    assert.deepEqual(await stopEngine({ dataDir }), { wasRunning: false, forced: false });
  });

  it("restarts on the same H2 files with the stored password, and stops without waiting out a pending long poll", async () => {
    const restarted = await startEngine({ engineDir, port, dataDir, env: noAdminEnv });
    assert.equal(restarted.credentialsSource, "file");
    assert.deepEqual(restarted.credentials, engine!.credentials);
    const auth = basic(restarted.credentials.username, restarted.credentials.password);
    assert.equal(await status(`${restarted.restUrl}/process-definition/count`, auth), 200);
    // A worker's long poll that nobody will read again: the engine answers it when it stops, so
    // Tomcat's graceful shutdown completes instead of waiting for it until the shutdown bound.
    const poll = fetch(`${restarted.restUrl}/external-task/fetchAndLock`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({
        workerId: "abandoned-poll",
        maxTasks: 1,
        asyncResponseTimeout: 120_000,
        topics: [{ topicName: "no-such-topic", lockDuration: 1_000 }],
      }),
    }).then(async (response) => ({ status: response.status, body: await response.text() }));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the poll is parked in the engine
    await stopEngine({ dataDir });
    assert.equal(isAlive(restarted.pid), false);
    const answered = await poll;
    assert.equal(answered.status, 500);
    assert.match(answered.body, /rejected due to shutdown/);
    const log = readFileSync(restarted.logFile, "utf8");
    assert.match(log, /Graceful shutdown complete/);
    assert.doesNotMatch(log, /Graceful shutdown aborted/);
  });

  it("fails clearly, and leaves nothing running, when the stored password no longer matches the database", async () => {
    writeFileSync(credentialsFile(dataDir), JSON.stringify({ username: "admin", password: "not-the-one" }), {
      mode: 0o600,
    });
    await assert.rejects(startEngine({ engineDir, port, dataDir, env: noAdminEnv }), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /already has an admin user "admin" with another password/);
      return true;
    });
    assert.equal((await engineStatus({ dataDir })).running, false);
    assert.deepEqual(markedProcesses(dataDir), []);
    assert.equal(await isPortFree(port), true);
  });
});
