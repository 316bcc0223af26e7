/**
 * What an environment file asks of the engine, in the engine's terms: groups, users, memberships,
 * one authorization per (holder, resource type, resource id) with the union of the permissions
 * declared for it, and Tasklist filters with the properties Tasklist reads.
 *
 * Filters get their ids from the engine, so a grant on a managed filter names it symbolically
 * (`filter:<name>`) on both sides of the comparison; apply.ts resolves the symbol once the filter
 * exists. Each declared user and group also holds READ on itself unless the file grants more: the
 * engine hands a new user ALL on itself (it could delete itself or change its own password), and
 * that is the one engine-made grant this tool narrows.
 */
import { allPermissions, resourceByName, selfGrantPermissions } from "./resources.js";
import type { FilterConfig, GrantConfig, IdentitiesConfig } from "./schema.js";

export type PrincipalKind = "user" | "group";

export interface Principal {
  kind: PrincipalKind;
  id: string;
}

export interface GrantTarget {
  principal: Principal;
  resourceType: number;
  /** "*", a key or name, or `filter:<name>` for a managed filter. */
  resourceId: string;
}

export interface DesiredGrant extends GrantTarget {
  /** Sorted, unique; ["ALL"] when ALL was declared. */
  permissions: string[];
  reasons: string[];
}

export type PasswordSource = { env: string } | "generated";

export interface DesiredUser {
  firstName: string;
  lastName: string;
  email: string | null;
  password: PasswordSource;
}

export interface DesiredGroup {
  name: string;
  type: string;
}

/** The filter as POST /filter/create takes it (owner null: shared through grants, owned by nobody). */
export interface FilterPayload {
  resourceType: "Task";
  name: string;
  owner: null;
  query: Record<string, unknown>;
  properties: Record<string, unknown>;
}

export interface DesiredIdentities {
  environment: string;
  groups: Map<string, DesiredGroup>;
  users: Map<string, DesiredUser>;
  /** Declared user → the groups it belongs to. */
  memberships: Map<string, Set<string>>;
  grants: Map<string, DesiredGrant>;
  filters: Map<string, FilterPayload>;
  removed: { users: string[]; groups: string[] };
  confirmRevocations: boolean;
}

/** The property that marks a filter as this tool's, per environment (Tasklist ignores it). */
export const filterMarker = "camundaGitops";

export const filterSymbol = (name: string) => `filter:${name}`;

export function grantKey(target: GrantTarget): string {
  return `${target.principal.kind}:${target.principal.id}|${target.resourceType}|${target.resourceId}`;
}

export function normalisePermissions(permissions: Iterable<string>): string[] {
  const set = new Set(permissions);
  if (set.has(allPermissions)) return [allPermissions];
  set.delete("NONE");
  return [...set].sort();
}

export function desiredIdentities(environment: string, config: IdentitiesConfig): DesiredIdentities {
  const grants = new Map<string, DesiredGrant>();
  const add = (
    principal: Principal,
    grant: Pick<GrantConfig, "resource" | "ids" | "permissions" | "reason">,
  ) => {
    const resource = resourceByName(grant.resource);
    if (!resource) throw new Error(`unknown resource type ${grant.resource}`); // the schema refuses it first
    for (const resourceId of grant.ids) {
      const target = { principal, resourceType: resource.type, resourceId };
      const key = grantKey(target);
      const existing = grants.get(key);
      grants.set(key, {
        ...target,
        permissions: normalisePermissions([...(existing?.permissions ?? []), ...grant.permissions]),
        reasons: [...(existing?.reasons ?? []), ...(grant.reason ? [grant.reason] : [])],
      });
    }
  };
  const groups = new Map<string, DesiredGroup>();
  for (const [id, group] of Object.entries(config.groups)) {
    groups.set(id, { name: group.name, type: group.type });
    const principal = { kind: "group" as const, id };
    add(principal, { resource: "Group", ids: [id], permissions: [...selfGrantPermissions] });
    for (const grant of group.grants) add(principal, grant);
  }
  const users = new Map<string, DesiredUser>();
  const memberships = new Map<string, Set<string>>();
  for (const [id, user] of Object.entries(config.users)) {
    users.set(id, {
      firstName: user.firstName,
      lastName: user.lastName,
      email: user.email ?? null,
      password: user.password,
    });
    memberships.set(id, new Set(user.groups));
    const principal = { kind: "user" as const, id };
    add(principal, { resource: "User", ids: [id], permissions: [...selfGrantPermissions] });
    for (const grant of user.grants) add(principal, grant);
  }
  const filters = new Map<string, FilterPayload>();
  for (const filter of config.filters) {
    filters.set(filter.name, filterPayload(environment, filter));
    const ids = [filterSymbol(filter.name)];
    for (const id of filter.sharedWith.groups)
      add({ kind: "group", id }, { resource: "Filter", ids, permissions: ["READ"] });
    for (const id of filter.sharedWith.users)
      add({ kind: "user", id }, { resource: "Filter", ids, permissions: ["READ"] });
  }
  return {
    environment,
    groups,
    users,
    memberships,
    grants,
    filters,
    removed: { users: [...config.removed.users], groups: [...config.removed.groups] },
    confirmRevocations: config.confirmRevocations,
  };
}

export function filterPayload(environment: string, filter: FilterConfig): FilterPayload {
  const properties: Record<string, unknown> = {
    priority: filter.priority,
    refresh: filter.refresh,
    variables: filter.variables,
    [filterMarker]: { environment },
  };
  if (filter.description !== undefined) properties.description = filter.description;
  if (filter.color !== undefined) properties.color = filter.color;
  return {
    resourceType: "Task",
    name: filter.name,
    owner: null,
    query: { ...filter.query },
    properties,
  };
}

/**
 * A comparable form of a filter's query or properties: keys sorted, and the empty lists the engine
 * adds on its own (taskVariables, orQueries, …) dropped, as are nulls.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const inner = (value as Record<string, unknown>)[key];
      if (inner === null || inner === undefined) continue;
      if (Array.isArray(inner) && inner.length === 0) continue;
      out[key] = canonical(inner);
    }
    return out;
  }
  return value;
}

export function principalText(principal: Principal): string {
  return `${principal.kind} ${principal.id}`;
}
