import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "../../support/repo.js";

/** Runs the CLI with a clean Camunda environment plus `env`; resolves its exit code and output. */
function cli(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CAMUNDA_")));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "camunda-gitops.mjs"), ...args], {
      cwd: repoRoot,
      env: { ...base, CI: "true", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const credentials = { CAMUNDA_USERNAME: "release-cli-test", CAMUNDA_PASSWORD: "not-a-real-secret-42" };

describe("camunda-gitops plan / release on the command line", () => {
  it("an unknown environment is a usage error (exit 2) that lists the known ones", async () => {
    const { code, stderr, stdout } = await cli(["release", "--env", "nosuch"], credentials);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^error: unknown environment "nosuch": there is no environments\/nosuch\.yaml; choose one of .*dev.*prod/m,
    );
    assert.equal(stdout, "");
    assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
  });

  it("--env is required", async () => {
    const { code, stderr } = await cli(["plan"]);
    assert.equal(code, 2);
    assert.match(stderr, /plan: --env is required/);
  });

  it("unknown options are usage errors", async () => {
    const { code, stderr } = await cli(["release", "--env", "dev", "--dryrun"]);
    assert.equal(code, 2);
    assert.match(stderr, /release: Unknown option '--dryrun'/);
  });

  it("--smoke with --dry-run is refused", async () => {
    const { code, stderr } = await cli(["release", "--env", "dev", "--smoke", "--dry-run"], credentials);
    assert.equal(code, 2);
    assert.match(stderr, /--smoke needs a deployment/);
  });

  it("--smoke in prod is refused before anything is contacted", async () => {
    const { code, stderr } = await cli(["release", "--env", "prod", "--smoke"], credentials);
    assert.equal(code, 2);
    assert.match(stderr, /--smoke is not allowed in environment "prod"/);
  });

  it("missing credentials for a remote environment say which variables to set", async () => {
    const { code, stderr } = await cli(["plan", "--env", "staging"]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /no Camunda credentials for environment "staging": set CAMUNDA_USERNAME and CAMUNDA_PASSWORD/,
    );
  });

  it("an unreachable engine: a progress line per retry, then one sentence, exit 1, no password", async () => {
    const url = `http://127.0.0.1:${await unusedPort()}/engine-rest`;
    const { code, stderr } = await cli(["plan", "--env", "local"], { ...credentials, CAMUNDA_URL: url });
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`^Engine: ${url} \\(from CAMUNDA_URL\\)$`, "m"), "says which engine");
    for (const attempt of [1, 2, 3, 4]) {
      assert.match(stderr, new RegExp(`${url} did not answer \\(ECONNREFUSED\\); retry ${attempt} of 4`));
    }
    assert.match(
      stderr,
      new RegExp(`error: cannot reach the Camunda engine at ${url} after 5 attempt\\(s\\)`),
    );
    assert.match(stderr, /CAMUNDA_URL overrides the environment file's camunda\.restUrl/);
    assert.doesNotMatch(stderr, /not-a-real-secret-42/);
  });

  it("--help explains the verbs", async () => {
    for (const verb of ["plan", "release"]) {
      const { code, stdout } = await cli([verb, "--help"]);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^Usage: camunda-gitops ${verb} --env <name>`));
      assert.match(stdout, /Exit codes: 0/);
    }
  });
});
