import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { engineStatus, startEngine, stopEngine } from "#core/engine/local-engine.js";
import { readState, stateFile, writeState } from "#core/engine/state.js";
import { UsageError, UserError } from "#core/util/errors.js";
import { engineDir } from "../../support/repo.js";

/** The checks that run before anything is built or spawned; no engine is started here. */
describe("local engine control without an engine", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "engine-control-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("refuses a port that is already in use, with the port in the sentence", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1" }, resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      await assert.rejects(startEngine({ engineDir, port, dataDir }), (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.equal(
          error.message,
          `Port ${port} on 127.0.0.1 is already in use; stop whatever listens there or choose another port with --port.`,
        );
        return true;
      });
    } finally {
      server.close();
    }
    assert.equal(existsSync(stateFile(dataDir)), false);
  });

  it("requires the three datasource variables for PostgreSQL and names the missing ones", async () => {
    const env = {
      SPRING_DATASOURCE_URL: "jdbc:postgresql://localhost:5432/camunda",
      SPRING_DATASOURCE_USERNAME: undefined,
      SPRING_DATASOURCE_PASSWORD: undefined,
    };
    await assert.rejects(startEngine({ engineDir, db: "postgres", dataDir, env }), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(
        error.message,
        /^--db postgres needs SPRING_DATASOURCE_USERNAME, SPRING_DATASOURCE_PASSWORD /,
      );
      return true;
    });
  });

  it("rejects a datasource URL that is not PostgreSQL's", async () => {
    const env = {
      SPRING_DATASOURCE_URL: "jdbc:mysql://localhost/camunda",
      SPRING_DATASOURCE_USERNAME: "u",
      SPRING_DATASOURCE_PASSWORD: "p",
    };
    await assert.rejects(
      startEngine({ engineDir, db: "postgres", dataDir, env }),
      /must be a PostgreSQL JDBC URL/,
    );
  });

  it("rejects a port outside 1..65535", async () => {
    await assert.rejects(startEngine({ engineDir, port: 70_000, dataDir }), UsageError);
  });

  it("stop says nothing was running when there is no state file", async () => {
    assert.deepEqual(await stopEngine({ dataDir }), { wasRunning: false, forced: false });
  });

  it("stop never signals a process that is not this data folder's engine, and forgets the stale pid", async () => {
    // The state file names this very test process: stopping must leave it alone.
    writeState(dataDir, {
      pid: process.pid,
      port: 1,
      host: "127.0.0.1",
      db: "h2",
      startedAt: new Date().toISOString(),
      logFile: path.join(dataDir, "engine.log"),
    });
    const result = await stopEngine({ dataDir });
    assert.deepEqual(result, { wasRunning: false, pid: process.pid, forced: false });
    assert.equal(readState(dataDir), undefined);
  });

  it("status reports a data folder without an engine as not running", async () => {
    const status = await engineStatus({ dataDir });
    assert.equal(status.running, false);
    assert.equal(status.answering, false);
    assert.equal(status.dataDir, dataDir);
  });
});
