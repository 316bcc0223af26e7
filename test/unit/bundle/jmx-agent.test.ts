/**
 * The JMX exporter agent the bundle carries: taken from a local copy only when its sha256 is the
 * manifest's, otherwise fetched with Maven and checked. The download is a stand-in here (no test
 * waits for Maven); the real jar's bytes are checked in the bundle determinism test.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { agentArtifact, locateJmxAgent } from "#core/bundle/jmx-agent.js";
import { repoPath } from "../../support/repo.js";

const work = mkdtempSync(path.join(tmpdir(), "jmx-agent-"));
after(() => rmSync(work, { recursive: true, force: true }));

function checkout(name: string): string {
  const root = path.join(work, name);
  mkdirSync(path.join(root, "engine"), { recursive: true });
  cpSync(repoPath("engine/run-7.23.0.yaml"), path.join(root, "engine/run-7.23.0.yaml"));
  return root;
}

describe("JMX exporter agent for the bundle (stand-in download)", () => {
  test("a local copy with the wrong bytes is not used, and a download with the wrong sha256 is refused", async () => {
    const root = checkout("tampered");
    const agent = agentArtifact(root);
    mkdirSync(path.join(root, "engine/target/agents"), { recursive: true });
    writeFileSync(path.join(root, "engine/target/agents", agent.fileName), "not the agent");
    let asked = "";
    const downloadStandIn = async (wanted: { groupId: string; artifactId: string; version: string }) => {
      asked = `${wanted.groupId}:${wanted.artifactId}:${wanted.version}`;
      return Buffer.from("also not the agent");
    };
    await assert.rejects(
      locateJmxAgent(root, { download: downloadStandIn, home: path.join(work, "home") }),
      (error: Error) =>
        /has sha256 [0-9a-f]{64}, but engine\/run-7\.23\.0\.yaml expects 7d61f737/.test(error.message) &&
        /nothing was bundled/.test(error.message),
    );
    assert.equal(asked, "io.prometheus.jmx:jmx_prometheus_javaagent:1.0.1");
  });

  test("an unreachable download says which copies were looked for and what to do", async () => {
    const root = checkout("offline");
    const offline = async (): Promise<Buffer> => {
      throw new Error("mvn dependency:get failed: Could not transfer artifact");
    };
    await assert.rejects(
      locateJmxAgent(root, { download: offline, home: path.join(work, "home") }),
      /could not be fetched with Maven \(mvn dependency:get failed: Could not transfer artifact\); build the engine once/,
    );
  });
});
