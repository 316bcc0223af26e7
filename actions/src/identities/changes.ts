/**
 * The identity plan: what `release` would change so the engine matches the environment file. A pure
 * comparison of desired.ts with engine-state.ts, so it is unit-tested without an engine.
 *
 * A change is a revocation when it takes something away that exists today: a grant or one of its
 * permissions, a membership, a filter, a removed user or group. Narrowing the ALL a new user gets
 * from the engine on itself is not one (nothing existed before the release).
 */
import { createHash } from "node:crypto";
import {
  canonicalJson,
  type DesiredIdentities,
  type FilterPayload,
  filterMarker,
  grantKey,
  type PasswordSource,
  type Principal,
} from "./desired.js";
import type { EngineIdentities } from "./engine-state.js";
import { allPermissions } from "./resources.js";

export type IdentityChange =
  | { kind: "create-group"; id: string; name: string; type: string }
  | { kind: "update-group"; id: string; name: string; type: string; before: { name: string; type: string } }
  | { kind: "delete-group"; id: string }
  | {
      kind: "create-user";
      id: string;
      profile: { firstName: string; lastName: string; email: string | null };
      password: PasswordSource;
    }
  | {
      kind: "update-user";
      id: string;
      profile: { firstName: string; lastName: string; email: string | null };
      before: { firstName: string; lastName: string; email: string | null };
    }
  | { kind: "set-password"; id: string; password: PasswordSource }
  | { kind: "delete-user"; id: string }
  | { kind: "add-member"; userId: string; groupId: string }
  | { kind: "remove-member"; userId: string; groupId: string }
  | { kind: "create-filter"; name: string; payload: FilterPayload }
  | { kind: "update-filter"; id: string; name: string; payload: FilterPayload; adopted: boolean }
  | { kind: "delete-filter"; id: string; name: string }
  | {
      kind: "grant";
      principal: Principal;
      resourceType: number;
      resourceId: string;
      permissions: string[];
      reasons: string[];
    }
  | {
      kind: "update-grant";
      /** null when the authorization does not exist yet at plan time (the engine makes it with the user). */
      authorizationId: string | null;
      principal: Principal;
      resourceType: number;
      resourceId: string;
      permissions: string[];
      before: string[];
      reasons: string[];
    }
  | {
      kind: "revoke";
      authorizationId: string;
      principal: Principal;
      resourceType: number;
      resourceId: string;
      before: string[];
    };

export interface IdentityPlan {
  environment: string;
  changes: IdentityChange[];
  unchanged: { groups: number; users: number; memberships: number; grants: number; filters: number };
  /** Users whose password could not be compared (no source here); never a change. */
  passwordsNotChecked: Array<{ id: string; reason: string }>;
  confirmRevocations: boolean;
  /** Over every change but passwords, which the read-only plan job cannot see. */
  digest: string;
}

export interface PasswordCheck {
  /** Users whose password source gave a value here, and whether the engine accepts it. */
  matches: Map<string, boolean>;
  notChecked: Array<{ id: string; reason: string }>;
}

export function isRevocation(change: IdentityChange): boolean {
  switch (change.kind) {
    case "delete-group":
    case "delete-user":
    case "remove-member":
    case "delete-filter":
    case "revoke":
      return true;
    case "update-grant":
      return (
        change.authorizationId !== null &&
        (change.before.includes(allPermissions)
          ? !change.permissions.includes(allPermissions)
          : change.before.some(
              (p) => !change.permissions.includes(p) && !change.permissions.includes(allPermissions),
            ))
      );
    default:
      return false;
  }
}

export function revocations(plan: IdentityPlan): IdentityChange[] {
  return plan.changes.filter(isRevocation);
}

export function computeIdentityPlan(
  desired: DesiredIdentities,
  engine: EngineIdentities,
  passwords: PasswordCheck,
): IdentityPlan {
  const changes: IdentityChange[] = [];
  const unchanged = { groups: 0, users: 0, memberships: 0, grants: 0, filters: 0 };
  // Authorizations the engine will make itself when the release creates a user or a group.
  const engineGrants = new Map(engine.grants);
  const predict = (principal: Principal, resourceType: number, permissions: string[]) => {
    const target = { principal, resourceType, resourceId: principal.id };
    const key = grantKey(target);
    if (!engineGrants.has(key)) engineGrants.set(key, { id: "", ...target, permissions });
  };

  for (const [id, group] of desired.groups) {
    const existing = engine.groups.get(id);
    if (!existing) {
      changes.push({ kind: "create-group", id, ...group });
      predict({ kind: "group", id }, 2, ["READ"]);
    } else if (existing.name !== group.name || existing.type !== group.type) {
      changes.push({ kind: "update-group", id, ...group, before: existing });
    } else unchanged.groups++;
  }
  for (const [id, user] of desired.users) {
    const profile = { firstName: user.firstName, lastName: user.lastName, email: user.email };
    const existing = engine.users.get(id);
    if (!existing) {
      changes.push({ kind: "create-user", id, profile, password: user.password });
      predict({ kind: "user", id }, 1, [allPermissions]);
      continue;
    }
    if (canonicalJson(existing) !== canonicalJson(profile)) {
      changes.push({ kind: "update-user", id, profile, before: existing });
    } else unchanged.users++;
    if (passwords.matches.get(id) === false)
      changes.push({ kind: "set-password", id, password: user.password });
  }

  for (const [userId, groups] of desired.memberships) {
    const current = engine.memberships.get(userId) ?? new Set<string>();
    for (const groupId of [...groups].sort()) {
      if (current.has(groupId)) unchanged.memberships++;
      else changes.push({ kind: "add-member", userId, groupId });
    }
    for (const groupId of [...current].sort()) {
      if (!groups.has(groupId)) changes.push({ kind: "remove-member", userId, groupId });
    }
  }

  for (const [name, payload] of desired.filters) {
    const existing = engine.filters.get(name);
    if (!existing) {
      changes.push({ kind: "create-filter", name, payload });
      continue;
    }
    const same =
      existing.managed &&
      existing.owner === null &&
      canonicalJson(existing.query) === canonicalJson(payload.query) &&
      canonicalJson(existing.properties) === canonicalJson(payload.properties);
    if (same) unchanged.filters++;
    else changes.push({ kind: "update-filter", id: existing.id, name, payload, adopted: !existing.managed });
  }

  for (const [key, grant] of desired.grants) {
    const existing = engineGrants.get(key);
    if (!existing) {
      changes.push({
        kind: "grant",
        ...targetOf(grant),
        permissions: grant.permissions,
        reasons: grant.reasons,
      });
    } else if (existing.permissions.join(",") !== grant.permissions.join(",")) {
      changes.push({
        kind: "update-grant",
        authorizationId: existing.id || null,
        ...targetOf(grant),
        permissions: grant.permissions,
        before: existing.permissions,
        reasons: grant.reasons,
      });
    } else unchanged.grants++;
  }
  for (const [key, grant] of engine.grants) {
    if (!desired.grants.has(key)) {
      changes.push({
        kind: "revoke",
        authorizationId: grant.id,
        ...targetOf(grant),
        before: grant.permissions,
      });
    }
  }

  for (const [name, filter] of engine.filters) {
    if (filter.managed && !desired.filters.has(name))
      changes.push({ kind: "delete-filter", id: filter.id, name });
  }
  for (const id of desired.removed.users) {
    if (engine.users.has(id)) {
      for (const groupId of [...(engine.memberships.get(id) ?? [])].sort())
        changes.push({ kind: "remove-member", userId: id, groupId });
      changes.push({ kind: "delete-user", id });
    }
  }
  for (const id of desired.removed.groups) {
    if (engine.groups.has(id)) changes.push({ kind: "delete-group", id });
  }

  return {
    environment: desired.environment,
    changes,
    unchanged,
    passwordsNotChecked: passwords.notChecked,
    confirmRevocations: desired.confirmRevocations,
    digest: identityDigest(changes),
  };
}

function targetOf(grant: { principal: Principal; resourceType: number; resourceId: string }) {
  return { principal: grant.principal, resourceType: grant.resourceType, resourceId: grant.resourceId };
}

function identityDigest(changes: IdentityChange[]): string {
  const essence = changes
    .filter((c) => c.kind !== "set-password")
    .map((c) => {
      const { reasons: _reasons, ...rest } = c as IdentityChange & { reasons?: string[] };
      return rest;
    });
  return createHash("sha256")
    .update(canonicalJson({ changes: essence }))
    .digest("hex")
    .slice(0, 16);
}

/** The marker property, for messages that explain which filters are managed. */
export const managedFilterProperty = filterMarker;
