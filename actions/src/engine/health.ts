/**
 * Whether an engine is up, asked through the project's REST client: GET /engine (open, for health
 * checks) answers once the REST API is up, and one authenticated request proves the admin user exists
 * with the password we hold.
 */

import { createCamundaClient } from "#core/camunda/client.js";
import { CamundaError } from "#core/camunda/errors.js";
import { waitUntil } from "#core/util/wait.js";
import { isAlive } from "./state.js";

/** True when GET <restUrl>/engine answers 200 (this endpoint needs no credentials). */
export function engineAnswers(restUrl: string, timeoutMs = 2_000): Promise<boolean> {
  return createCamundaClient({ baseUrl: restUrl, retries: 0, timeoutMs }).ping();
}

/** Polls GET /engine-rest/engine until it answers, the process exits, or the time is up. */
export async function waitUntilAnswering(
  pid: number,
  restUrl: string,
  timeoutMs: number,
  exited: () => boolean = () => false,
): Promise<"up" | "exited" | "timeout"> {
  let outcome: "up" | "exited" = "up";
  const settled = await waitUntil(
    async () => {
      if (exited() || !isAlive(pid)) outcome = "exited";
      else if (await engineAnswers(restUrl)) outcome = "up";
      else return false;
      return true;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return settled ? outcome : "timeout";
}

/**
 * One request with the admin credentials: "rejected" when the engine answers 401 (the user exists
 * with another password), "unknown" when it could not be asked.
 */
export async function checkCredentials(
  restUrl: string,
  credentials: { username: string; password: string },
): Promise<"accepted" | "rejected" | "unknown"> {
  const client = createCamundaClient({ baseUrl: restUrl, ...credentials, retries: 0, timeoutMs: 10_000 });
  try {
    await client.ok(client.api.GET("/process-definition/count"));
    return "accepted";
  } catch (error) {
    return error instanceof CamundaError && error.status === 401 ? "rejected" : "unknown";
  }
}
