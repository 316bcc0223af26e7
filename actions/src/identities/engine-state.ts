/**
 * What the engine has of what an environment file manages, read with GET requests only: the declared
 * (and removed) groups and users, the memberships of those users, the GRANT authorizations those
 * users and groups hold, and the filters marked as this environment's.
 *
 * Authorizations the engine creates on single runtime objects (a task's candidates, the deploying
 * user's grant on its deployment, …) are the engine's, not the file's, and are left out: they are read
 * per resource type with resourceId "*" only. Grants on filters count when they are on a managed filter
 * (then named `filter:<name>`, as in desired.ts) or on every filter.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import type { components } from "#core/camunda/openapi.js";
import { type DesiredIdentities, filterMarker, filterSymbol, grantKey, type Principal } from "./desired.js";
import { resourceTypes } from "./resources.js";

export interface EngineGrant {
  id: string;
  principal: Principal;
  resourceType: number;
  resourceId: string;
  permissions: string[];
}

export interface EngineFilter {
  id: string;
  name: string;
  owner: string | null;
  query: Record<string, unknown>;
  properties: Record<string, unknown>;
  /** Marked as this environment's filter. */
  managed: boolean;
}

export interface EngineIdentities {
  groups: Map<string, { name: string; type: string }>;
  users: Map<string, { firstName: string; lastName: string; email: string | null }>;
  /** For each declared or removed user that exists: every group it belongs to. */
  memberships: Map<string, Set<string>>;
  grants: Map<string, EngineGrant>;
  /** Managed filters by name, and unmarked filters that carry a declared filter's name. */
  filters: Map<string, EngineFilter>;
}

type AuthorizationDto = components["schemas"]["AuthorizationDto"];
type FilterDto = components["schemas"]["FilterDto"];

const pageSize = 500;

export async function readEngineIdentities(
  client: CamundaClient,
  desired: DesiredIdentities,
  onProgress: (detail: string) => void = () => {},
): Promise<EngineIdentities> {
  const groupIds = [...new Set([...desired.groups.keys(), ...desired.removed.groups])];
  const userIds = [...new Set([...desired.users.keys(), ...desired.removed.users])];

  onProgress("groups and users");
  const groups = new Map<string, { name: string; type: string }>();
  if (groupIds.length > 0) {
    const found = await client.ok(
      client.api.GET("/group", { params: { query: { idIn: groupIds.join(","), maxResults: pageSize } } }),
    );
    for (const group of found) groups.set(group.id ?? "", { name: group.name ?? "", type: group.type ?? "" });
  }
  const users = new Map<string, { firstName: string; lastName: string; email: string | null }>();
  if (userIds.length > 0) {
    const found = await client.ok(
      client.api.GET("/user", { params: { query: { idIn: userIds.join(","), maxResults: pageSize } } }),
    );
    for (const user of found) {
      users.set(user.id ?? "", {
        firstName: user.firstName ?? "",
        lastName: user.lastName ?? "",
        email: user.email ?? null,
      });
    }
  }

  onProgress("memberships");
  const memberships = new Map<string, Set<string>>();
  for (const id of userIds.filter((u) => users.has(u))) {
    const of = await client.ok(
      client.api.GET("/group", { params: { query: { member: id, maxResults: pageSize } } }),
    );
    memberships.set(id, new Set(of.map((g) => g.id ?? "")));
  }

  onProgress("filters");
  const filters = new Map<string, EngineFilter>();
  const declaredNames = new Set(desired.filters.keys());
  const all = (await client.ok(
    client.api.GET("/filter", { params: { query: { resourceType: "Task" } } }),
  )) as FilterDto[];
  const toEngineFilter = (filter: FilterDto, managed: boolean): EngineFilter => ({
    id: filter.id ?? "",
    name: filter.name ?? "",
    owner: filter.owner ?? null,
    query: (filter.query ?? {}) as Record<string, unknown>,
    properties: (filter.properties ?? {}) as Record<string, unknown>,
    managed,
  });
  const markerOf = (filter: FilterDto) =>
    ((filter.properties ?? {}) as Record<string, unknown>)[filterMarker] as
      | { environment?: unknown }
      | undefined;
  for (const filter of all) {
    if (markerOf(filter)?.environment === desired.environment)
      filters.set(filter.name ?? "", toEngineFilter(filter, true));
  }
  // A shared (ownerless) filter someone made by hand with a declared name is adopted, not duplicated.
  for (const filter of all) {
    const name = filter.name ?? "";
    if (!markerOf(filter) && !filter.owner && declaredNames.has(name) && !filters.has(name)) {
      filters.set(name, toEngineFilter(filter, false));
    }
  }
  const filterNames = new Map([...filters.values()].map((f) => [f.id, f.name]));

  onProgress("authorizations");
  const grants = new Map<string, EngineGrant>();
  const holders: Array<{ kind: "user" | "group"; ids: string[] }> = [
    { kind: "user", ids: userIds },
    { kind: "group", ids: groupIds },
  ];
  for (const holder of holders) {
    if (holder.ids.length === 0) continue;
    for (const resource of resourceTypes) {
      const list = await authorizations(client, {
        type: 1,
        resourceType: resource.type,
        ...(holder.kind === "user"
          ? { userIdIn: holder.ids.join(",") }
          : { groupIdIn: holder.ids.join(",") }),
        ...(resource.runtimeObjects ? { resourceId: "*" } : {}),
      });
      for (const dto of list) {
        const principalId = holder.kind === "user" ? dto.userId : dto.groupId;
        if (!principalId || !dto.id) continue;
        let resourceId = dto.resourceId ?? "*";
        if (resource.name === "Filter" && resourceId !== "*") {
          const name = filterNames.get(resourceId);
          if (name === undefined) continue; // a filter someone shared by hand: not this file's
          resourceId = filterSymbol(name);
        }
        const grant: EngineGrant = {
          id: dto.id,
          principal: { kind: holder.kind, id: principalId },
          resourceType: resource.type,
          resourceId,
          permissions: [...(dto.permissions ?? [])].sort(),
        };
        grants.set(grantKey(grant), grant);
      }
    }
  }
  return { groups, users, memberships, grants, filters };
}

async function authorizations(
  client: CamundaClient,
  query: { type: number; resourceType: number; userIdIn?: string; groupIdIn?: string; resourceId?: string },
): Promise<AuthorizationDto[]> {
  const out: AuthorizationDto[] = [];
  for (let firstResult = 0; ; firstResult += pageSize) {
    const page = await client.ok(
      client.api.GET("/authorization", {
        params: { query: { ...query, firstResult, maxResults: pageSize } },
      }),
    );
    out.push(...page);
    if (page.length < pageSize) return out;
  }
}

/** Whether each user's password is the one its source gives, without changing anything but login counters. */
export async function checkPasswords(
  client: CamundaClient,
  candidates: Array<{ id: string; password: string }>,
): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  for (const { id, password } of candidates) {
    const answer = await client.ok(client.api.POST("/identity/verify", { body: { username: id, password } }));
    out.set(id, answer.authenticated === true);
  }
  return out;
}
