import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { bundleAction, distPath, listActions } from "../../../scripts/build-actions.js";

describe("committed action bundles match their sources", () => {
  for (const name of listActions()) {
    test(`actions/${name}/dist/index.js is the bundle of actions/${name}/main.ts`, async () => {
      assert.ok(existsSync(distPath(name)), `run: node --import tsx scripts/build-actions.ts ${name}`);
      const rebuilt = await bundleAction(name);
      const committed = readFileSync(distPath(name), "utf8");
      assert.ok(
        rebuilt === committed,
        `actions/${name}/dist is stale; run: node --import tsx scripts/build-actions.ts ${name}`,
      );
    });
  }
});
