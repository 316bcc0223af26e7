/**
 * actions/src/identities/resources.ts against the real engine: every resource type number and every
 * permission listed for it is accepted by POST /authorization/create and comes back under the same
 * names, and a permission of another type is refused by the engine as the schema refuses it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { resourceTypes } from "#core/identities/resources.js";
import { identitiesSchema } from "#core/identities/schema.js";
import { testEngine } from "../../support/engine.js";
import { refusal } from "../../support/identities.js";

const { client } = testEngine();
const groupId = `resources-${randomBytes(4).toString("hex")}`;
const created: string[] = [];

describe("the resource types and permissions environment files may name", () => {
  after(async () => {
    for (const id of created) await client.api.DELETE("/authorization/{id}", { params: { path: { id } } });
  });

  for (const resource of resourceTypes) {
    it(`${resource.name} (${resource.type}): ${resource.permissions.join(", ")}`, async () => {
      const authorization = await client.ok(
        client.api.POST("/authorization/create", {
          body: {
            type: 1,
            permissions: [...resource.permissions],
            groupId,
            resourceType: resource.type,
            resourceId: "*",
          },
        }),
      );
      created.push(authorization.id!);
      const read = await client.ok(
        client.api.GET("/authorization/{id}", { params: { path: { id: authorization.id! } } }),
      );
      assert.deepEqual([...(read.permissions ?? [])].sort(), [...resource.permissions].sort());
      // The engine's own name of the type, as /authorization/check and its 403s use it.
      const check = await client.ok(
        client.api.GET("/authorization/check", {
          params: {
            query: {
              permissionName: resource.permissions[0]!,
              resourceName: resource.engineName,
              resourceType: resource.type,
              resourceId: "*",
            },
          },
        }),
      );
      assert.equal(check.resourceName, resource.engineName);
    });
  }

  it("a permission of another resource type is refused by the engine and by the schema alike", async () => {
    const error = await refusal(
      client.ok(
        client.api.POST("/authorization/create", {
          body: { type: 1, permissions: ["TASK_WORK"], groupId, resourceType: 9, resourceId: "*" },
        }),
      ),
    );
    assert.ok(error.status >= 400, String(error.status));
    const parsed = identitiesSchema.safeParse({
      groups: { [groupId]: { name: "x", grants: [{ resource: "Deployment", permissions: ["TASK_WORK"] }] } },
    });
    assert.equal(parsed.success, false);
    assert.match(parsed.error!.issues[0]!.message, /TASK_WORK is not a permission of Deployment/);
  });
});
