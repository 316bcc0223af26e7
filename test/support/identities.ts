/**
 * The identities of an environment file on the shared test engine, and clients logged in as its
 * users. provisionEnvironment("local") applies environments/local.yaml exactly as `release` does
 * (plan, then both phases as the test admin); test files that need its groups, users and filters call
 * it, and a lock makes concurrent callers take turns (after the first, the plan is empty). Generated
 * passwords live in the test engine's data folder.
 *
 * Tasks of a test's own tenant are visible to a user only when it is a member of that tenant (the
 * engine's tenant check, on with authorization): joinTenant makes that membership, which stands in
 * for the single-tenant engines of the real environments.
 */
import path from "node:path";
import { type CamundaClient, CamundaError, createCamundaClient } from "#core/camunda/index.js";
import { withFileLock } from "#core/engine/lock.js";
import { loadEnvironment } from "#core/environments/load.js";
import {
  applyIdentities,
  generatedPasswordsFile,
  type IdentitySetup,
  type PreparedIdentities,
  passwordResolver,
  planIdentities,
} from "#core/identities/index.js";
import type { IdentitiesConfig } from "#core/identities/schema.js";
import { testEngine } from "./engine.js";
import { repoPath } from "./repo.js";

function dataDir(): string {
  const dir = process.env.CAMUNDA_TEST_DATA_DIR;
  if (!dir)
    throw new Error("CAMUNDA_TEST_DATA_DIR is not set: run integration tests with `npm test -- <path>`");
  return dir;
}

/** A setup for `config` under the environment name given, with generated passwords in the test engine's folder. */
export function identitySetup(
  environment: string,
  config: IdentitiesConfig,
  env: NodeJS.ProcessEnv = {},
): IdentitySetup {
  const environmentFile = `environments/${environment}.yaml`;
  return {
    environment,
    environmentFile,
    config,
    passwords: passwordResolver({ env, environmentFile, generatedFile: generatedPasswordsFile(dataDir()) }),
  };
}

/** Plan and apply both phases as `client` (the test admin by default); returns the plan that was applied. */
export async function applySetup(
  setup: IdentitySetup,
  client: CamundaClient = testEngine().client,
  password = testEngine().password,
): Promise<PreparedIdentities> {
  const prepared = await planIdentities(client, setup);
  const options = {
    client,
    username: client.username ?? "",
    authenticatedUserPassword: () => password,
    setup,
  };
  await applyIdentities(prepared, "grant", options);
  await applyIdentities(prepared, "revoke", options);
  return prepared;
}

export interface ProvisionedEnvironment {
  setup: IdentitySetup;
  password(userId: string): string;
  /** A REST client logged in as one of the file's users. */
  as(userId: string): CamundaClient;
}

/** environments/<name>.yaml's identities on the test engine (technical users' passwords from `env`). */
export async function provisionEnvironment(
  name: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ProvisionedEnvironment> {
  const config = loadEnvironment(name, { dir: repoPath("environments"), env: {} }).config.identities;
  if (!config) throw new Error(`environments/${name}.yaml declares no identities`);
  const setup = identitySetup(name, config, env);
  await withFileLock(path.join(dataDir(), `identities-${name}.lock`), () => applySetup(setup));
  const password = (userId: string) => {
    const user = config.users[userId];
    if (!user) throw new Error(`environments/${name}.yaml declares no user ${userId}`);
    const found = setup.passwords.lookup(userId, user.password);
    if (!("password" in found)) throw new Error(`no password for ${userId}: ${found.missing}`);
    return found.password;
  };
  return {
    setup,
    password,
    as: (userId) => login(userId, password(userId), `environments/${name}.yaml`),
  };
}

export function login(username: string, password: string, environmentFile?: string): CamundaClient {
  return createCamundaClient({
    baseUrl: testEngine().restUrl,
    username,
    password,
    retries: 0,
    ...(environmentFile ? { grantHint: { environmentFile } } : {}),
  });
}

/** Makes the users members of the tenant (created when missing), as the test admin. */
export async function joinTenant(tenantId: string, userIds: string[]): Promise<void> {
  const { client } = testEngine();
  try {
    await client.ok(client.api.POST("/tenant/create", { body: { id: tenantId, name: tenantId } }));
  } catch (error) {
    // Exists already: 400 from 7.23's REST API (500 from earlier ones).
    if (!(error instanceof CamundaError && (error.status === 400 || error.status === 500))) throw error;
  }
  for (const userId of userIds) {
    await client.ok(
      client.api.PUT("/tenant/{id}/user-members/{userId}", { params: { path: { id: tenantId, userId } } }),
    );
  }
}

/** The CamundaError a call fails with (the test fails when it succeeds). */
export async function refusal(call: Promise<unknown>): Promise<CamundaError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof CamundaError) return error;
    throw error;
  }
  throw new Error("the call was allowed");
}
