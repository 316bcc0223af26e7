// biome-ignore-all lint/suspicious/noTemplateCurlyInString: JUEL expressions of Tasklist filters
/**
 * The identity plan as a pure comparison of what a file declares with what an engine has (the engine
 * side written as engine-state.ts reads it). test/integration/identities/ runs the same against the
 * real engine.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeIdentityPlan, isRevocation, revocations } from "#core/identities/changes.js";
import { desiredIdentities, filterPayload, filterSymbol, grantKey } from "#core/identities/desired.js";
import type { EngineGrant, EngineIdentities } from "#core/identities/engine-state.js";
import { identityHeadline, identityPlanLines } from "#core/identities/format.js";
import { type IdentitiesConfig, identitiesSchema } from "#core/identities/schema.js";

const config: IdentitiesConfig = identitiesSchema.parse({
  groups: {
    underwriters: {
      name: "Underwriters",
      grants: [{ resource: "Application", ids: ["tasklist"], permissions: ["ACCESS"] }],
    },
  },
  users: {
    workers: {
      firstName: "Workers",
      lastName: "(technical user)",
      password: { env: "CAMUNDA_WORKERS_PASSWORD" },
      grants: [
        {
          resource: "ProcessDefinition",
          ids: ["insurance_process"],
          permissions: ["UPDATE_INSTANCE", "READ_INSTANCE"],
          reason: "work the external tasks",
        },
      ],
    },
    uma: { firstName: "Uma", lastName: "U", password: "generated", groups: ["underwriters"] },
  },
  filters: [
    {
      name: "Reviews",
      query: { taskDefinitionKey: "Task_Review", candidateGroupsExpression: "${currentUserGroups()}" },
      sharedWith: { groups: ["underwriters"] },
    },
  ],
});

const desired = desiredIdentities("dev", config);
const noPasswords = { matches: new Map<string, boolean>(), notChecked: [] };

function grant(
  kind: "user" | "group",
  id: string,
  resourceType: number,
  resourceId: string,
  permissions: string[],
  authorizationId = `auth-${id}-${resourceType}-${resourceId}`,
): EngineGrant {
  return { id: authorizationId, principal: { kind, id }, resourceType, resourceId, permissions };
}

/** The engine after a first release of `config`. */
function inSync(): EngineIdentities {
  const grants = new Map<string, EngineGrant>();
  for (const g of desired.grants.values())
    grants.set(
      grantKey(g),
      grant(g.principal.kind, g.principal.id, g.resourceType, g.resourceId, g.permissions),
    );
  const payload = filterPayload("dev", config.filters[0]!);
  return {
    groups: new Map([["underwriters", { name: "Underwriters", type: "WORKFLOW" }]]),
    users: new Map([
      ["workers", { firstName: "Workers", lastName: "(technical user)", email: null }],
      ["uma", { firstName: "Uma", lastName: "U", email: null }],
    ]),
    memberships: new Map([
      ["workers", new Set<string>()],
      ["uma", new Set(["underwriters"])],
    ]),
    grants,
    filters: new Map([
      [
        "Reviews",
        {
          id: "f-1",
          name: "Reviews",
          owner: null,
          // As the engine answers: empty lists of its own, keys in another order.
          query: { ...payload.query, taskVariables: [], orQueries: [] },
          properties: { ...payload.properties },
          managed: true,
        },
      ],
    ]),
  };
}

describe("identity plan", () => {
  it("a fresh engine: everything is created, and the ALL a new user gets on itself is narrowed to READ", () => {
    const empty: EngineIdentities = {
      groups: new Map(),
      users: new Map(),
      memberships: new Map(),
      grants: new Map(),
      filters: new Map(),
    };
    const plan = computeIdentityPlan(desired, empty, noPasswords);
    const kinds = plan.changes.map((c) => c.kind);
    assert.deepEqual(
      [...new Set(kinds)],
      ["create-group", "create-user", "add-member", "create-filter", "grant", "update-grant"],
    );
    const narrowed = plan.changes.filter((c) => c.kind === "update-grant");
    assert.equal(narrowed.length, 2);
    for (const change of narrowed) {
      assert.equal(change.kind === "update-grant" && change.authorizationId, null);
      assert.equal(isRevocation(change), false, "nothing existed before: not a revocation");
    }
    // The group's own READ on itself is what the engine gives anyway: no change.
    assert.ok(!plan.changes.some((c) => c.kind === "grant" && c.resourceType === 2));
    assert.equal(revocations(plan).length, 0);
    assert.match(
      identityHeadline(plan),
      /^Identities of dev: \d+ change\(s\) that give, 0 revocation\(s\)\.$/,
    );
  });

  it("an engine as declared: nothing to change, even with the engine's own empty lists in the filter", () => {
    const plan = computeIdentityPlan(desired, inSync(), noPasswords);
    assert.deepEqual(plan.changes, []);
    assert.deepEqual(plan.unchanged, { groups: 1, users: 2, memberships: 1, grants: 6, filters: 1 });
    assert.equal(identityHeadline(plan), "Identities of dev: as declared, nothing to change.");
  });

  it("a grant added by hand is revoked, a narrowed one is a revocation, a widened one is not", () => {
    const engine = inSync();
    const extra = grant("user", "workers", 9, "*", ["CREATE"]);
    engine.grants.set(grantKey(extra), extra);
    const key = grantKey({
      principal: { kind: "user", id: "workers" },
      resourceType: 6,
      resourceId: "insurance_process",
    });
    engine.grants.set(key, {
      ...engine.grants.get(key)!,
      permissions: ["READ_INSTANCE", "TASK_WORK", "UPDATE_INSTANCE"],
    });
    const tasklist = grantKey({
      principal: { kind: "group", id: "underwriters" },
      resourceType: 0,
      resourceId: "tasklist",
    });
    engine.grants.delete(tasklist);
    const plan = computeIdentityPlan(desired, engine, noPasswords);
    const lines = identityPlanLines(plan);
    assert.ok(lines.includes("- revoke user workers CREATE on Deployment *"), lines.join("\n"));
    assert.ok(
      lines.includes("- change user workers on ProcessDefinition insurance_process: -TASK_WORK"),
      lines.join("\n"),
    );
    assert.ok(lines.includes("+ grant group underwriters ACCESS on Application tasklist"), lines.join("\n"));
    assert.equal(revocations(plan).length, 2);
  });

  it("a declared user is exactly in its groups: camunda-admin added by hand is a revocation", () => {
    const engine = inSync();
    engine.memberships.set("workers", new Set(["camunda-admin"]));
    const plan = computeIdentityPlan(desired, engine, noPasswords);
    assert.deepEqual(plan.changes, [{ kind: "remove-member", userId: "workers", groupId: "camunda-admin" }]);
    assert.equal(isRevocation(plan.changes[0]!), true);
  });

  it("filters: a changed query is updated, a hand-made one of the same name adopted, an undeclared managed one deleted", () => {
    const engine = inSync();
    const reviews = engine.filters.get("Reviews")!;
    engine.filters.set("Reviews", {
      ...reviews,
      query: { ...reviews.query, taskDefinitionKey: "Task_Other" },
    });
    engine.filters.set("Old", {
      id: "f-2",
      name: "Old",
      owner: null,
      query: {},
      properties: {},
      managed: true,
    });
    let plan = computeIdentityPlan(desired, engine, noPasswords);
    assert.deepEqual(
      plan.changes.map((c) => `${c.kind} ${"name" in c ? c.name : ""}`),
      ["update-filter Reviews", "delete-filter Old"],
    );
    engine.filters.set("Reviews", { ...reviews, managed: false });
    engine.filters.delete("Old");
    plan = computeIdentityPlan(desired, engine, noPasswords);
    assert.equal(plan.changes.length, 1);
    assert.ok(plan.changes[0]!.kind === "update-filter" && plan.changes[0]!.adopted);
    assert.match(identityPlanLines(plan)[0]!, /update filter "Reviews" \(made by hand: adopted\)/);
  });

  it("grants on managed filters are compared by the filter's name, not its generated id", () => {
    const key = grantKey({
      principal: { kind: "group", id: "underwriters" },
      resourceType: 5,
      resourceId: filterSymbol("Reviews"),
    });
    assert.ok(desired.grants.has(key));
    const plan = computeIdentityPlan(desired, inSync(), noPasswords);
    assert.equal(plan.changes.length, 0);
  });

  it("a removed user loses its memberships and is deleted; a wrong password is set, outside the digest", () => {
    const removing = desiredIdentities("dev", { ...config, removed: { users: ["olduser"], groups: [] } });
    const engine = inSync();
    engine.users.set("olduser", { firstName: "Old", lastName: "User", email: null });
    engine.memberships.set("olduser", new Set(["underwriters"]));
    const plan = computeIdentityPlan(removing, engine, {
      matches: new Map([["workers", false]]),
      notChecked: [{ id: "uma", reason: "not generated yet" }],
    });
    assert.deepEqual(
      plan.changes.map((c) => c.kind),
      ["set-password", "remove-member", "delete-user"],
    );
    const withoutPassword = computeIdentityPlan(removing, engine, noPasswords);
    assert.equal(
      plan.digest,
      withoutPassword.digest,
      "the plan job cannot see passwords: they stay out of the digest",
    );
    assert.notEqual(plan.digest, computeIdentityPlan(desired, engine, noPasswords).digest);
    assert.ok(identityPlanLines(plan).includes("? password of uma not compared: not generated yet"));
  });
});
