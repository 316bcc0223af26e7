/**
 * Applies an identity plan in two phases. `grant` gives (creates and updates groups, users,
 * passwords, memberships, filters and authorizations) and runs before the processes are deployed;
 * `revoke` takes away (narrowed or revoked grants, memberships, filters, removed users and groups)
 * and runs after them, so at no moment does anyone hold less than both the old and the new file
 * allow. Before the first call, the applying user's permissions for every change are checked with
 * GET /authorization/check: a user that may not make them is refused in one sentence and nothing
 * changes. Each change is idempotent on a second run (a delete that finds nothing is done).
 */
import { type CamundaClient, CamundaError } from "#core/camunda/index.js";
import { UserError } from "#core/util/errors.js";
import { type IdentityChange, type IdentityPlan, isRevocation } from "./changes.js";
import type { Principal } from "./desired.js";
import type { PasswordResolver } from "./passwords.js";
import { resourceByName, resourceByType } from "./resources.js";

export type ApplyPhase = "grant" | "revoke";

export interface ApplyContext {
  client: CamundaClient;
  /** The user applying the plan and its password (a password change needs it). */
  username: string;
  authenticatedUserPassword: () => string;
  passwords: PasswordResolver;
  /** The environment file, for messages. */
  environmentFile: string;
  /** Managed filters that exist already, by name (from the plan's engine state). */
  filterIds: Map<string, string>;
  onProgress?: (detail: string) => void;
}

export function changesOfPhase(plan: IdentityPlan, phase: ApplyPhase): IdentityChange[] {
  const revoking = (c: IdentityChange) => isRevocation(c);
  const chosen = plan.changes.filter((c) => (phase === "revoke" ? revoking(c) : !revoking(c)));
  const order: IdentityChange["kind"][] =
    phase === "grant"
      ? [
          "create-group",
          "update-group",
          "create-user",
          "update-user",
          "set-password",
          "add-member",
          "create-filter",
          "update-filter",
          "grant",
          "update-grant",
        ]
      : ["update-grant", "revoke", "remove-member", "delete-filter", "delete-user", "delete-group"];
  return order.flatMap((kind) => chosen.filter((c) => c.kind === kind));
}

/** The permission the applying user needs for one change, as /authorization/check takes it. */
function requiredPermission(change: IdentityChange): { permission: string; resource: string; id: string } {
  switch (change.kind) {
    case "create-group":
      return { permission: "CREATE", resource: "Group", id: "*" };
    case "update-group":
      return { permission: "UPDATE", resource: "Group", id: change.id };
    case "delete-group":
      return { permission: "DELETE", resource: "Group", id: change.id };
    case "create-user":
      return { permission: "CREATE", resource: "User", id: "*" };
    case "update-user":
    case "set-password":
      return { permission: "UPDATE", resource: "User", id: change.id };
    case "delete-user":
      return { permission: "DELETE", resource: "User", id: change.id };
    case "add-member":
      return { permission: "CREATE", resource: "GroupMembership", id: change.groupId };
    case "remove-member":
      return { permission: "DELETE", resource: "GroupMembership", id: change.groupId };
    case "create-filter":
      return { permission: "CREATE", resource: "Filter", id: "*" };
    case "update-filter":
      return { permission: "UPDATE", resource: "Filter", id: change.id };
    case "delete-filter":
      return { permission: "DELETE", resource: "Filter", id: change.id };
    case "grant":
      return { permission: "CREATE", resource: "Authorization", id: "*" };
    case "update-grant":
      return { permission: "UPDATE", resource: "Authorization", id: change.authorizationId ?? "*" };
    case "revoke":
      return { permission: "DELETE", resource: "Authorization", id: change.authorizationId };
  }
}

/** Refuses, before any change, when the applying user may not make all of them. */
export async function checkApplyPermissions(context: ApplyContext, changes: IdentityChange[]): Promise<void> {
  const needed = new Map<string, { permission: string; resource: string; id: string }>();
  for (const change of changes) {
    const need = requiredPermission(change);
    needed.set(`${need.permission} ${need.resource} ${need.id}`, need);
  }
  const missing: string[] = [];
  for (const need of needed.values()) {
    const resource = resourceByName(need.resource)!;
    const answer = await context.client.ok(
      context.client.api.GET("/authorization/check", {
        params: {
          query: {
            permissionName: need.permission,
            resourceName: resource.engineName,
            resourceType: resource.type,
            ...(need.id !== "*" ? { resourceId: need.id } : { resourceId: "*" }),
          },
        },
      }),
    );
    if (!answer.authorized) {
      const text = `${need.permission} on ${need.resource}${need.id !== "*" ? ` "${need.id}"` : ""}`;
      if (!missing.includes(text)) missing.push(text);
    }
  }
  if (missing.length > 0) {
    throw new UserError(
      `user "${context.username}" may not apply the identity changes of ${context.environmentFile}: it lacks ${missing.join(", ")}; nothing was changed. Grant them to it under identities in ${context.environmentFile} and have an administrator release once (docs/identities.md, "First release"), or release as a user that has them.`,
    );
  }
}

export async function applyChanges(
  context: ApplyContext,
  changes: IdentityChange[],
): Promise<IdentityChange[]> {
  const { client } = context;
  const done: IdentityChange[] = [];
  for (const [index, change] of changes.entries()) {
    context.onProgress?.(`${index + 1}/${changes.length} ${describeChangeShort(change)}`);
    await applyOne(context, change);
    done.push(change);
  }
  return done;

  async function applyOne(ctx: ApplyContext, change: IdentityChange): Promise<void> {
    switch (change.kind) {
      case "create-group":
        return void (await client.ok(
          client.api.POST("/group/create", { body: { id: change.id, name: change.name, type: change.type } }),
        ));
      case "update-group":
        return void (await client.ok(
          client.api.PUT("/group/{id}", {
            params: { path: { id: change.id } },
            body: { id: change.id, name: change.name, type: change.type },
          }),
        ));
      case "delete-group":
        return ignoreMissing(
          client.ok(client.api.DELETE("/group/{id}", { params: { path: { id: change.id } } })),
        );
      case "create-user": {
        const password = ctx.passwords.obtain(change.id, change.password);
        return void (await client.ok(
          client.api.POST("/user/create", {
            body: { profile: { id: change.id, ...change.profile }, credentials: { password } },
          }),
        ));
      }
      case "update-user":
        return void (await client.ok(
          client.api.PUT("/user/{id}/profile", {
            params: { path: { id: change.id } },
            body: { id: change.id, ...change.profile },
          }),
        ));
      case "set-password":
        return void (await client.ok(
          client.api.PUT("/user/{id}/credentials", {
            params: { path: { id: change.id } },
            body: {
              password: ctx.passwords.obtain(change.id, change.password),
              authenticatedUserPassword: ctx.authenticatedUserPassword(),
            },
          }),
        ));
      case "delete-user":
        return ignoreMissing(
          client.ok(client.api.DELETE("/user/{id}", { params: { path: { id: change.id } } })),
        );
      case "add-member":
        return void (await client.ok(
          client.api.PUT("/group/{id}/members/{userId}", {
            params: { path: { id: change.groupId, userId: change.userId } },
          }),
        ));
      case "remove-member":
        return ignoreMissing(
          client.ok(
            client.api.DELETE("/group/{id}/members/{userId}", {
              params: { path: { id: change.groupId, userId: change.userId } },
            }),
          ),
        );
      case "create-filter": {
        const created = await client.ok(client.api.POST("/filter/create", { body: change.payload as never }));
        ctx.filterIds.set(change.name, created.id ?? "");
        return;
      }
      case "update-filter":
        await client.ok(
          client.api.PUT("/filter/{id}", {
            params: { path: { id: change.id } },
            body: change.payload as never,
          }),
        );
        ctx.filterIds.set(change.name, change.id);
        return;
      case "delete-filter":
        return ignoreMissing(
          client.ok(client.api.DELETE("/filter/{id}", { params: { path: { id: change.id } } })),
        );
      case "grant":
        return void (await client.ok(
          client.api.POST("/authorization/create", {
            body: {
              type: 1,
              permissions: change.permissions,
              ...holder(change.principal),
              resourceType: change.resourceType,
              resourceId: resolveResourceId(ctx, change.resourceId),
            },
          }),
        ));
      case "update-grant": {
        const id = change.authorizationId ?? (await findAuthorization(ctx, change));
        return void (await client.ok(
          client.api.PUT("/authorization/{id}", {
            params: { path: { id } },
            body: {
              permissions: change.permissions,
              ...holder(change.principal),
              resourceType: change.resourceType,
              resourceId: resolveResourceId(ctx, change.resourceId),
            },
          }),
        ));
      }
      case "revoke":
        return ignoreMissing(
          client.ok(
            client.api.DELETE("/authorization/{id}", { params: { path: { id: change.authorizationId } } }),
          ),
        );
    }
  }
}

function holder(principal: Principal) {
  return principal.kind === "user"
    ? { userId: principal.id, groupId: null }
    : { userId: null, groupId: principal.id };
}

function resolveResourceId(context: ApplyContext, resourceId: string): string {
  if (!resourceId.startsWith("filter:")) return resourceId;
  const name = resourceId.slice("filter:".length);
  const id = context.filterIds.get(name);
  if (!id) throw new Error(`filter "${name}" has no id (it should have been created first)`);
  return id;
}

/** The authorization the engine made when this release created the user or group. */
async function findAuthorization(
  context: ApplyContext,
  target: { principal: Principal; resourceType: number; resourceId: string },
): Promise<string> {
  const found = await context.client.ok(
    context.client.api.GET("/authorization", {
      params: {
        query: {
          type: 1,
          resourceType: target.resourceType,
          resourceId: target.resourceId,
          ...(target.principal.kind === "user"
            ? { userIdIn: target.principal.id }
            : { groupIdIn: target.principal.id }),
        },
      },
    }),
  );
  const id = found[0]?.id;
  if (!id)
    throw new UserError(
      `the engine has no authorization of ${target.principal.kind} "${target.principal.id}" on ${resourceByType(target.resourceType)?.name} "${target.resourceId}" to update; release again.`,
    );
  return id;
}

async function ignoreMissing(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (error instanceof CamundaError && error.status === 404) return; // already gone: done
    throw error;
  }
}

export function describeChangeShort(change: IdentityChange): string {
  switch (change.kind) {
    case "create-group":
    case "update-group":
    case "delete-group":
      return `${change.kind.replace("-", " ")} ${change.id}`;
    case "create-user":
    case "update-user":
    case "delete-user":
      return `${change.kind.replace("-", " ")} ${change.id}`;
    case "set-password":
      return `set the password of ${change.id}`;
    case "add-member":
      return `add ${change.userId} to ${change.groupId}`;
    case "remove-member":
      return `remove ${change.userId} from ${change.groupId}`;
    case "create-filter":
    case "update-filter":
    case "delete-filter":
      return `${change.kind.replace("-", " ")} "${change.name}"`;
    case "grant":
    case "update-grant":
    case "revoke":
      return `${change.kind.replace("-", " ")} ${change.principal.kind} ${change.principal.id} on ${resourceByType(change.resourceType)?.name ?? change.resourceType} ${change.resourceId}`;
  }
}
