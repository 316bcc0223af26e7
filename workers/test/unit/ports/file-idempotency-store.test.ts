import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { FileIdempotencyStore } from "#workers/ports/file-idempotency-store.js";
import { IdempotentPolicyStore, type Policy } from "#workers/ports/policy-store.js";

const directory = mkdtempSync(path.join(tmpdir(), "idempotency-"));
after(() => rmSync(directory, { recursive: true, force: true }));

const storeModule = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../src/ports/file-idempotency-store.ts",
);
const policyModule = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../src/ports/policy-store.ts",
);

/** Issues a policy for APP-RACE from a separate Node process; prints its policy number. */
function issueInChild(dir: string): Promise<string> {
  const script = `
    const { FileIdempotencyStore } = await import(${JSON.stringify(storeModule)});
    const { IdempotentPolicyStore } = await import(${JSON.stringify(policyModule)});
    const store = new IdempotentPolicyStore(new FileIdempotencyStore(${JSON.stringify(dir)}));
    const { policy } = await store.issue({ applicationId: "APP-RACE", holderName: "A", premiumPence: 1, riskGroup: "GREEN" }, new Date());
    process.stdout.write(policy.policyNumber);
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
  });
}

describe("FileIdempotencyStore", () => {
  it("stores once and returns the first value afterwards, surviving a new instance (restart)", async () => {
    const first = new FileIdempotencyStore(directory);
    assert.deepEqual(await first.putIfAbsent("things", "k", { n: 1 }), { value: { n: 1 }, created: true });
    const restarted = new FileIdempotencyStore(directory);
    assert.deepEqual(await restarted.putIfAbsent("things", "k", { n: 2 }), {
      value: { n: 1 },
      created: false,
    });
    assert.deepEqual(await restarted.get("things", "k"), { n: 1 });
    assert.deepEqual(await restarted.list("things"), [{ n: 1 }]);
    assert.deepEqual(await restarted.list("nothing-here"), []);
  });

  it("lets exactly one of several processes racing on one application issue a policy", async () => {
    const dir = path.join(directory, "race");
    const numbers = await Promise.all(Array.from({ length: 4 }, () => issueInChild(dir)));
    assert.equal(new Set(numbers).size, 1, `numbers: ${numbers.join(", ")}`);
    const policies = await new FileIdempotencyStore(dir).list<Policy>("policies");
    assert.equal(policies.length, 1);
    assert.equal(policies[0]?.policyNumber, numbers[0]);
    // No temporary files are left behind.
    assert.deepEqual(
      readdirSync(path.join(dir, "policies")).filter((name) => name.endsWith(".tmp")),
      [],
    );
    const again = await new IdempotentPolicyStore(new FileIdempotencyStore(dir)).find("APP-RACE");
    assert.equal(again?.policyNumber, numbers[0]);
  });

  it("refuses namespaces that could escape the directory", async () => {
    await assert.rejects(
      new FileIdempotencyStore(directory).putIfAbsent("../x", "k", 1),
      /invalid idempotency namespace/,
    );
  });
});
