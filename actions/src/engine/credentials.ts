/**
 * The local engine's admin user. Taken from CAMUNDA_BPM_ADMIN_USER_ID / CAMUNDA_BPM_ADMIN_USER_PASSWORD
 * (production's variables) when set; otherwise from `<dataDir>/credentials.json`, which is generated once
 * with a random password (mode 0600, inside the git-ignored .local/). No password is ever built in.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "#core/util/errors.js";

export interface EngineCredentials {
  username: string;
  password: string;
  /** Where they came from: the environment, or the file (its path is in `file`). */
  source: "environment" | "file" | "generated";
  file?: string;
}

export const defaultAdminUser = "admin";

export function credentialsFile(dataDir: string): string {
  return path.join(dataDir, "credentials.json");
}

/** 24 random bytes, base64url: 32 characters without quoting trouble in shells or URLs. */
export function generatePassword(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * The engine's default resource whitelist (as in production) accepts only letters and digits in user
 * ids, plus the literal "camunda-admin"; any other id makes the engine fail at startup.
 */
export function isValidUserId(id: string): boolean {
  return /^[a-zA-Z0-9]+$/.test(id) || id === "camunda-admin";
}

function fromEnvironment(env: Record<string, string | undefined>): EngineCredentials | undefined {
  const username = env.CAMUNDA_BPM_ADMIN_USER_ID;
  const password = env.CAMUNDA_BPM_ADMIN_USER_PASSWORD;
  if (username && !isValidUserId(username)) {
    throw new UsageError(
      `CAMUNDA_BPM_ADMIN_USER_ID "${username}" is not a valid Camunda user id (letters and digits only, as the engine's default id whitelist requires); choose one like "admin" or "testadmin".`,
    );
  }
  if (username && password) return { username, password, source: "environment" };
  if (username || password) {
    const missing = username ? "CAMUNDA_BPM_ADMIN_USER_PASSWORD" : "CAMUNDA_BPM_ADMIN_USER_ID";
    const present = username ? "CAMUNDA_BPM_ADMIN_USER_ID" : "CAMUNDA_BPM_ADMIN_USER_PASSWORD";
    throw new UsageError(
      `${missing} is not set while ${present} is; set both, or neither to use a generated local password.`,
    );
  }
  return undefined;
}

function fromFile(file: string): EngineCredentials | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { username?: unknown; password?: unknown };
    if (
      typeof parsed.username === "string" &&
      parsed.username &&
      typeof parsed.password === "string" &&
      parsed.password
    ) {
      return { username: parsed.username, password: parsed.password, source: "file", file };
    }
  } catch {
    // reported below with what to do
  }
  throw new UsageError(
    `${file} is not a valid credentials file ({"username": "...", "password": "..."} expected); delete it so a new password is generated, or fix it.`,
  );
}

/**
 * The admin credentials for the engine of dataDir: environment first, then the credentials file; when
 * neither exists and `generate` is set, a new file is written. Returns undefined only without `generate`.
 */
export function resolveEngineCredentials(options: {
  dataDir: string;
  env: Record<string, string | undefined>;
  generate: boolean;
}): EngineCredentials | undefined {
  const fromEnv = fromEnvironment(options.env);
  if (fromEnv) return fromEnv;
  const file = credentialsFile(options.dataDir);
  const existing = fromFile(file);
  if (existing || !options.generate) return existing;
  const password = generatePassword();
  // "wx": never overwrite a file another start wrote meanwhile; mode 0600 as it holds a password.
  writeFileSync(file, `${JSON.stringify({ username: defaultAdminUser, password }, null, 2)}\n`, {
    mode: 0o600,
    flag: "wx",
  });
  chmodSync(file, 0o600);
  return { username: defaultAdminUser, password, source: "generated", file };
}
