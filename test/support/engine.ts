/**
 * Access to the one real Camunda engine that test/run.ts starts for integration tests.
 * Tests share it: isolate with unique business keys, process keys or tenant ids (uniqueId below).
 */
import { randomBytes } from "node:crypto";
import { type CamundaClient, createCamundaClient } from "#core/camunda/index.js";

export interface TestEngine {
  restUrl: string;
  username: string;
  password: string;
  /** Engine log file (kept under .local/test-logs when the run fails). */
  logFile: string | undefined;
  client: CamundaClient;
}

let cached: TestEngine | undefined;

export function testEngine(): TestEngine {
  if (cached) return cached;
  const restUrl = process.env.CAMUNDA_TEST_URL;
  const username = process.env.CAMUNDA_TEST_USERNAME;
  const password = process.env.CAMUNDA_TEST_PASSWORD;
  if (!restUrl || !username || !password) {
    throw new Error(
      "integration tests need the engine that the test runner starts: run them with `npm test -- <path>` (CAMUNDA_TEST_URL is not set)",
    );
  }
  cached = {
    restUrl,
    username,
    password,
    logFile: process.env.CAMUNDA_TEST_ENGINE_LOG,
    client: createCamundaClient({ baseUrl: restUrl, username, password }),
  };
  return cached;
}

/** A short unique id for tenants, business keys and deployment names: `${prefix}-<8 hex>`. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`,
  );
}
