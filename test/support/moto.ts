/**
 * Starts moto's server (PyPI moto[server], installed into .venv/tools by scripts/setup-tools.sh) on a
 * free loopback port: the real S3 and CodeDeploy wire protocols for tests, no AWS account needed.
 * Each caller gets its own server, so tests never see each other's buckets.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { findFreePort } from "#core/engine/ports.js";
import { repoPath } from "./repo.js";

export const motoBinary = repoPath(".venv", "tools", "bin", "moto_server");

export interface MotoServer {
  endpoint: string;
  /** Variables that point the AWS SDK at this server with dummy credentials. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startMoto(options: { startTimeoutMs?: number } = {}): Promise<MotoServer> {
  if (!existsSync(motoBinary)) {
    throw new Error(`moto's server is not installed (${motoBinary} is missing); run scripts/setup-tools.sh.`);
  }
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(motoBinary, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`moto_server exited while starting on port ${port}:\n${output}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`moto_server did not answer on ${endpoint} within the start timeout:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_SESSION_TOKEN: "testing",
      AWS_REGION: "eu-west-2",
    },
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Sets the variables on process.env (where the SDK reads them) and returns a function that restores them. */
export function applyEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Credentials for `accountId` on this moto server: moto keeps one set of resources per account and
 * picks the account from the access key, so a role session (what the workflows' OIDC roles give)
 * sees the resources of the role's account, not those of the default account (123456789012).
 */
export async function accountCredentials(
  endpoint: string,
  accountId: string,
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const body = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: `arn:aws:iam::${accountId}:role/test-setup`,
    RoleSessionName: "test-setup",
    WebIdentityToken: "test-setup",
  });
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  const xml = await response.text();
  const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];
  const accessKeyId = field("AccessKeyId");
  const secretAccessKey = field("SecretAccessKey");
  const sessionToken = field("SessionToken");
  if (!response.ok || !accessKeyId || !secretAccessKey || !sessionToken) {
    throw new Error(
      `moto did not give credentials for account ${accountId}: HTTP ${response.status} ${xml.slice(0, 300)}`,
    );
  }
  return { accessKeyId, secretAccessKey, sessionToken };
}
