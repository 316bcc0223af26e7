/**
 * Identities and grants as code: plan (read-only) and apply an environment file's `identities`
 * against its engine. The release calls planIdentities beside the process plan, checkRevocations
 * before anything is written, then applyIdentities("grant") before the deployment and
 * applyIdentities("revoke") after it. See docs/identities.md.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { UserError } from "#core/util/errors.js";
import { type ApplyPhase, applyChanges, changesOfPhase, checkApplyPermissions } from "./apply.js";
import { computeIdentityPlan, type IdentityChange, type IdentityPlan, revocations } from "./changes.js";
import { desiredIdentities } from "./desired.js";
import { checkPasswords, readEngineIdentities } from "./engine-state.js";
import { describeChange } from "./format.js";
import type { PasswordResolver } from "./passwords.js";
import { resourceByName } from "./resources.js";
import type { IdentitiesConfig } from "./schema.js";

export { changesOfPhase } from "./apply.js";
export type { IdentityChange, IdentityPlan } from "./changes.js";
export { isRevocation, revocations } from "./changes.js";
export { describeChange, identityHeadline, identityPlanLines } from "./format.js";
export { generatedPasswordsFile, type PasswordResolver, passwordResolver } from "./passwords.js";

export interface IdentitySetup {
  environment: string;
  /** The environment file as messages name it, e.g. environments/dev.yaml. */
  environmentFile: string;
  config: IdentitiesConfig;
  passwords: PasswordResolver;
}

/** A plan and what applying it needs to know of the engine. */
export interface PreparedIdentities {
  plan: IdentityPlan;
  filterIds: Map<string, string>;
}

/** What the identity plan reads: without READ on all of these it would be blind and propose nonsense. */
const readsNeeded = ["User", "Group", "Authorization", "Filter"] as const;

export async function planIdentities(
  client: CamundaClient,
  setup: IdentitySetup,
  onProgress: (detail: string) => void = () => {},
): Promise<PreparedIdentities> {
  onProgress("checking read access");
  const missing: string[] = [];
  for (const name of readsNeeded) {
    const resource = resourceByName(name)!;
    const answer = await client.ok(
      client.api.GET("/authorization/check", {
        params: {
          query: {
            permissionName: "READ",
            resourceName: resource.engineName,
            resourceType: resource.type,
            resourceId: "*",
          },
        },
      }),
    );
    if (!answer.authorized) missing.push(`READ on ${name}`);
  }
  if (missing.length > 0) {
    throw new UserError(
      `user "${client.username ?? "?"}" cannot plan the identities of ${setup.environmentFile}: it lacks ${missing.join(", ")} (each on "*"), so it would see only part of the engine's users, groups, grants and filters; grant them to it under identities in ${setup.environmentFile} (as the plan user has them) and release.`,
    );
  }
  const desired = desiredIdentities(setup.environment, setup.config);
  const engine = await readEngineIdentities(client, desired, onProgress);

  onProgress("passwords");
  const toCheck: Array<{ id: string; password: string }> = [];
  const notChecked: Array<{ id: string; reason: string }> = [];
  for (const [id, user] of desired.users) {
    if (!engine.users.has(id) || id === client.username) continue;
    const found = setup.passwords.lookup(id, user.password);
    if ("password" in found) toCheck.push({ id, password: found.password });
    else notChecked.push({ id, reason: found.missing });
  }
  const matches = await checkPasswords(client, toCheck);
  const plan = computeIdentityPlan(desired, engine, { matches, notChecked });
  return { plan, filterIds: new Map([...engine.filters.values()].map((f) => [f.name, f.id])) };
}

/** Refuses a plan that revokes anything where the file asks for confirmation, before any write. */
export function checkRevocations(plan: IdentityPlan, allowed: boolean, environmentFile: string): void {
  const taken = revocations(plan);
  if (taken.length === 0 || !plan.confirmRevocations || allowed) return;
  throw new UserError(
    `the release to ${plan.environment} would revoke ${taken.length} identity setting(s) listed below, and ${environmentFile} sets identities.confirmRevocations; nothing was changed. Review them and release again with --allow-revocations (input allow-revocations: true).`,
    { details: taken.map(describeChange) },
  );
}

export interface ApplyIdentitiesOptions {
  client: CamundaClient;
  username: string;
  authenticatedUserPassword: () => string;
  setup: IdentitySetup;
  onProgress?: (detail: string) => void;
}

/** Checks every permission first (refusing with nothing changed), then applies the phase's changes. */
export async function applyIdentities(
  prepared: PreparedIdentities,
  phase: ApplyPhase,
  options: ApplyIdentitiesOptions,
): Promise<IdentityChange[]> {
  const changes = changesOfPhase(prepared.plan, phase);
  if (changes.length === 0) return [];
  const context = {
    client: options.client,
    username: options.username,
    authenticatedUserPassword: options.authenticatedUserPassword,
    passwords: options.setup.passwords,
    environmentFile: options.setup.environmentFile,
    filterIds: prepared.filterIds,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  await checkApplyPermissions(context, changes);
  return applyChanges(context, changes);
}

/** Both phases' permissions, checked before the release writes anything at all. */
export async function checkIdentityPermissions(
  prepared: PreparedIdentities,
  options: ApplyIdentitiesOptions,
): Promise<void> {
  const changes = prepared.plan.changes;
  if (changes.length === 0) return;
  await checkApplyPermissions(
    {
      client: options.client,
      username: options.username,
      authenticatedUserPassword: options.authenticatedUserPassword,
      passwords: options.setup.passwords,
      environmentFile: options.setup.environmentFile,
      filterIds: prepared.filterIds,
    },
    changes,
  );
}
