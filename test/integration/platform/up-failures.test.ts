/**
 * `up` either brings the whole platform up or leaves nothing behind: a failure at any step stops what
 * that run had started and is reported as one sentence.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { engineStatus, findFreePort, stopEngine } from "#core/engine/local-engine.js";
import { up } from "#core/platform/up.js";
import { UserError } from "#core/util/errors.js";
import { repoRoot } from "../../support/repo.js";

const quiet = (<T>(_title: string, fn: (s: { update(detail: string): void }) => Promise<T> | T) =>
  Promise.resolve(fn({ update() {} }))) as never;

describe("up leaves nothing half-started", () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a port that is taken, in one sentence, and starts nothing", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const dataDir = tempDir("up-port-");
    try {
      await assert.rejects(
        up({ root: repoRoot, port, dataDir, samples: 0, step: quiet }),
        (error: unknown) => {
          assert.ok(error instanceof UserError);
          assert.match(error.message, new RegExp(`Port ${port} .* already in use`));
          return true;
        },
      );
      assert.equal((await engineStatus({ dataDir })).running, false);
    } finally {
      server.close();
    }
  });

  it("stops the engine it started when the linter refuses the release", { timeout: 300_000 }, async () => {
    const repo = tempDir("up-lint-");
    mkdirSync(path.join(repo, "processes"));
    // An external task without a topic: the linter's error, so the release must not start.
    writeFileSync(
      path.join(repo, "processes", "broken.bpmn"),
      `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="http://example.com/up">
  <bpmn:process id="broken_up" name="Broken" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" name="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Work" />
    <bpmn:serviceTask id="Work" name="Work" camunda:type="external" />
    <bpmn:sequenceFlow id="F2" sourceRef="Work" targetRef="End" />
    <bpmn:endEvent id="End" name="End" />
  </bpmn:process>
</bpmn:definitions>
`,
    );
    for (const args of [
      ["init", "-q"],
      ["add", "."],
      ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "broken"],
    ]) {
      assert.equal(spawnSync("git", args, { cwd: repo }).status, 0);
    }
    const dataDir = tempDir("up-engine-");
    const port = await findFreePort();
    try {
      await assert.rejects(
        up({ root: repoRoot, port, dataDir, repoRoot: repo, samples: 0, step: quiet }),
        (error: unknown) => {
          assert.ok(error instanceof UserError, String(error));
          assert.match(error.message, /lint/i);
          return true;
        },
      );
    } finally {
      // Should up wrongly succeed, do not leave its engine behind for the rest of the run.
      if ((await engineStatus({ dataDir })).running) await stopEngine({ dataDir });
    }
    const status = await engineStatus({ dataDir });
    assert.equal(status.running, false, "the engine that up started is still running");
    assert.equal(status.answering, false);
  });
});
