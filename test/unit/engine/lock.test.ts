import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { withFileLock } from "#core/engine/lock.js";

describe("withFileLock", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "engine-lock-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs two holders one after the other and removes the lock file", async () => {
    const lockFile = path.join(dir, "a.lock");
    const events: string[] = [];
    let waited = 0;
    const holder = (name: string) =>
      withFileLock(
        lockFile,
        async () => {
          events.push(`${name} in`);
          await sleep(100);
          events.push(`${name} out`);
        },
        { pollMs: 20, onWait: () => waited++ },
      );
    await Promise.all([holder("first"), holder("second")]);
    assert.deepEqual(events, ["first in", "first out", "second in", "second out"]);
    assert.equal(waited, 1);
    assert.equal(existsSync(lockFile), false);
  });

  it("takes over a lock left by a process that no longer exists", async () => {
    const lockFile = path.join(dir, "b.lock");
    writeFileSync(lockFile, String(2 ** 22 + 17));
    const result = await withFileLock(lockFile, async () => "ran", { pollMs: 20 });
    assert.equal(result, "ran");
  });

  it("releases the lock when the holder fails", async () => {
    const lockFile = path.join(dir, "c.lock");
    await assert.rejects(
      withFileLock(lockFile, async () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(existsSync(lockFile), false);
  });
});
