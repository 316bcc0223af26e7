/**
 * The release's identity steps, around the process deployment: plan the environment file's
 * identities beside the processes (read-only), refuse unconfirmed revocations and missing permissions
 * before anything is written, give before the deployment and take away after it.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import {
  applyIdentities,
  changesOfPhase,
  checkIdentityPermissions,
  checkRevocations,
  type IdentityChange,
  type IdentitySetup,
  type PreparedIdentities,
  planIdentities,
} from "#core/identities/index.js";
import type { ReleaseTarget } from "./plan.js";

type StepRunner = <T>(title: string, fn: (update: (detail: string) => void) => Promise<T>) => Promise<T>;

export interface IdentityStepOptions {
  client: CamundaClient;
  target: ReleaseTarget;
  /** From the environment file's `identities`; absent: the release leaves identities alone. */
  identities?: IdentitySetup | null | undefined;
}

export interface IdentityWriteOptions extends IdentityStepOptions {
  /** The applying user's password (changing another user's password needs it). */
  authenticatedUserPassword?: (() => string) | undefined;
  /** Revocations go ahead where the file sets identities.confirmRevocations. */
  allowRevocations?: boolean | undefined;
}

export async function planIdentityStep(
  options: IdentityStepOptions,
  step: StepRunner,
): Promise<PreparedIdentities | null> {
  const setup = options.identities;
  if (!setup) return null;
  return step(`Planning identities of ${options.target.environment} (${setup.environmentFile})`, (update) =>
    planIdentities(options.client, setup, update),
  );
}

function applyOptions(options: IdentityWriteOptions, setup: IdentitySetup) {
  return {
    client: options.client,
    username: options.client.username ?? "",
    authenticatedUserPassword:
      options.authenticatedUserPassword ??
      (() => {
        throw new Error("the release was given no password of its own user to change passwords with");
      }),
    setup,
  };
}

/** Before the first write: confirmed revocations, and every permission the identity changes need. */
export async function checkIdentityStep(
  prepared: PreparedIdentities | null,
  options: IdentityWriteOptions,
): Promise<void> {
  const setup = options.identities;
  if (!prepared || !setup) return;
  checkRevocations(prepared.plan, options.allowRevocations ?? false, setup.environmentFile);
  await checkIdentityPermissions(prepared, applyOptions(options, setup));
}

export async function applyIdentityStep(
  prepared: PreparedIdentities | null,
  phase: "grant" | "revoke",
  options: IdentityWriteOptions,
  step: StepRunner,
): Promise<IdentityChange[]> {
  const setup = options.identities;
  if (!prepared || !setup) return [];
  if (changesOfPhase(prepared.plan, phase).length === 0) return [];
  const title =
    phase === "grant"
      ? `Giving the identities of ${options.target.environment} what ${setup.environmentFile} declares`
      : `Revoking in ${options.target.environment} what ${setup.environmentFile} no longer declares`;
  return step(title, (update) =>
    applyIdentities(prepared, phase, { ...applyOptions(options, setup), onProgress: update }),
  );
}
