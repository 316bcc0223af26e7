// biome-ignore-all lint/suspicious/noTemplateCurlyInString: JUEL expressions of Tasklist filters
/**
 * Identities and grants as code on the real engine (authorization on): plan → apply → re-apply is a
 * no-op; a grant dropped from the file is revoked (and waits for --allow-revocations where the file
 * asks for confirmation, with nothing changed); a user without identity administration is refused
 * before any change; a password rotates; removed users and groups go. Every principal has an id of
 * this test's own, and the "environment" a name of its own (filters are marked per environment).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { checkRevocations, planIdentities, revocations } from "#core/identities/index.js";
import { type IdentitiesConfig, identitiesSchema } from "#core/identities/schema.js";
import { UserError } from "#core/util/errors.js";
import { testEngine } from "../../support/engine.js";
import { applySetup, identitySetup, login } from "../../support/identities.js";

const engine = testEngine();
const tag = randomBytes(4).toString("hex");
const environment = `prov${tag}`;
const ids = {
  reviewers: `reviewers-${tag}`,
  auditors: `auditors-${tag}`,
  bot: `bot${tag}`,
  admin: `idadmin${tag}`,
  person: `person${tag}`,
  leaver: `leaver${tag}`,
};

type RawGrant = { resource: string; ids?: string[]; permissions: string[] };
type RawUser = {
  firstName: string;
  lastName: string;
  password: "generated" | { env: string };
  groups?: string[];
  grants?: RawGrant[];
};
/** The identities section as a file holds it, before the schema's defaults. */
interface RawIdentities {
  groups: Record<string, { name: string; grants?: RawGrant[] }>;
  users: Record<string, RawUser>;
  filters: unknown[];
  removed?: { users: string[]; groups: string[] };
}

function config(edit: (c: RawIdentities) => void = () => {}): IdentitiesConfig {
  const raw: RawIdentities = {
    groups: {
      [ids.reviewers]: {
        name: "Reviewers",
        grants: [{ resource: "Application", ids: ["tasklist"], permissions: ["ACCESS"] }],
      },
      [ids.auditors]: { name: "Auditors" },
    },
    users: {
      [ids.bot]: {
        firstName: "Bot",
        lastName: "(technical user)",
        password: { env: "BOT_PASSWORD" },
        grants: [
          {
            resource: "ProcessDefinition",
            ids: [`proc_${tag}`],
            permissions: ["READ_INSTANCE", "UPDATE_INSTANCE"],
          },
          { resource: "Deployment", permissions: ["READ"] },
        ],
      },
      [ids.admin]: {
        firstName: "Identity",
        lastName: "Admin",
        password: "generated",
        grants: ["User", "Group", "Authorization", "Filter"].map((resource) => ({
          resource,
          permissions: ["READ", "CREATE", "UPDATE", "DELETE"],
        })),
      },
      [ids.person]: { firstName: "Pat", lastName: "Person", password: "generated", groups: [ids.reviewers] },
    },
    filters: [
      {
        name: "Reviews",
        query: {
          taskDefinitionKey: "Task_Review",
          candidateGroupsExpression: "${currentUserGroups()}",
          includeAssignedTasks: true,
        },
        variables: [{ name: "applicantName", label: "Applicant" }],
        sharedWith: { groups: [ids.reviewers] },
      },
    ],
  };
  edit(raw);
  return identitiesSchema.parse(raw);
}

const botPassword = `bot-${randomBytes(9).toString("base64url")}`;

describe("identities as code on the real engine", () => {
  it("plan → apply → re-apply: the second plan is empty, and the file's users can log in", async () => {
    const setup = identitySetup(environment, config(), { BOT_PASSWORD: botPassword });
    const first = await applySetup(setup);
    const kinds = new Set(first.plan.changes.map((c) => c.kind));
    for (const kind of [
      "create-group",
      "create-user",
      "add-member",
      "create-filter",
      "grant",
      "update-grant",
    ])
      assert.ok(kinds.has(kind as never), `the first plan has no ${kind}`);
    assert.equal(revocations(first.plan).length, 0);

    const again = await planIdentities(engine.client, setup);
    assert.deepEqual(again.plan.changes, [], JSON.stringify(again.plan.changes, null, 1));
    assert.ok(again.plan.unchanged.grants >= 8);

    const bot = login(ids.bot, botPassword);
    assert.equal(
      (await bot.ok(bot.api.GET("/user/{id}/profile", { params: { path: { id: ids.bot } } }))).firstName,
      "Bot",
    );
    // The engine's ALL on itself was narrowed to READ: the bot cannot delete itself.
    const refused = await bot.api.DELETE("/user/{id}", { params: { path: { id: ids.bot } } });
    assert.equal(refused.response.status, 403);

    // The filter is shared with the reviewers' group and runs for its member.
    const personPassword = setup.passwords.lookup(ids.person, "generated");
    assert.ok("password" in personPassword, "the person's password was generated");
    const person = login(ids.person, personPassword.password);
    const filters = await person.ok(
      person.api.GET("/filter", { params: { query: { resourceType: "Task" } } }),
    );
    const reviews = filters.find((f) => f.name === "Reviews");
    assert.deepEqual((reviews?.properties as Record<string, unknown>)?.camundaGitops, { environment });
  });

  it("a grant removed from the file is revoked; with confirmRevocations it waits for --allow-revocations", async () => {
    const narrowed = config((c) => {
      c.users[ids.bot]!.grants = c.users[ids.bot]!.grants!.slice(0, 1);
    });
    const guarded = identitySetup(
      environment,
      { ...narrowed, confirmRevocations: true },
      { BOT_PASSWORD: botPassword },
    );
    const prepared = await planIdentities(engine.client, guarded);
    assert.deepEqual(
      revocations(prepared.plan).map((c) => c.kind),
      ["revoke"],
    );
    assert.throws(
      () => checkRevocations(prepared.plan, false, guarded.environmentFile),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(
          error.message,
          new RegExp(
            `^the release to ${environment} would revoke 1 identity setting\\(s\\) listed below, and environments/${environment}\\.yaml sets identities\\.confirmRevocations; nothing was changed\\.`,
          ),
        );
        assert.deepEqual(error.details, [`revoke user ${ids.bot} READ on Deployment *`]);
        return true;
      },
    );
    checkRevocations(prepared.plan, true, guarded.environmentFile);

    const bot = login(ids.bot, botPassword);
    assert.equal((await bot.api.GET("/deployment")).response.status, 200);
    const setup = identitySetup(environment, narrowed, { BOT_PASSWORD: botPassword });
    await applySetup(setup);
    const grants = await engine.client.ok(
      engine.client.api.GET("/authorization", { params: { query: { userIdIn: ids.bot, resourceType: 9 } } }),
    );
    assert.deepEqual(grants, []);
    assert.deepEqual((await planIdentities(engine.client, setup)).plan.changes, []);
  });

  it("a user without identity administration is refused before any change, in one sentence", async () => {
    const setup = identitySetup(
      environment,
      config((c) => {
        c.users[ids.bot]!.grants = c.users[ids.bot]!.grants!.slice(0, 1); // as the previous test left it
        c.groups[`extra-${tag}`] = { name: "Extra" };
      }),
      { BOT_PASSWORD: botPassword },
    );
    const bot = login(ids.bot, botPassword, setup.environmentFile);
    // The bot may not even read what the plan compares.
    await assert.rejects(planIdentities(bot, setup), (error: unknown) => {
      assert.match(
        String((error as Error).message),
        new RegExp(
          `^user "${ids.bot}" cannot plan the identities of environments/${environment}\\.yaml: it lacks READ on User, READ on Group, READ on Authorization, READ on Filter \\(each on "\\*"\\)`,
        ),
      );
      return true;
    });
    // The identity admin of the file can plan and apply; the bot, given the admin's plan, cannot apply it.
    const adminPassword = setup.passwords.lookup(ids.admin, "generated");
    assert.ok("password" in adminPassword);
    const admin = login(ids.admin, adminPassword.password);
    const prepared = await planIdentities(admin, setup);
    assert.equal(prepared.plan.changes.length, 1);
    const { applyIdentities } = await import("#core/identities/index.js");
    await assert.rejects(
      applyIdentities(prepared, "grant", {
        client: bot,
        username: ids.bot,
        authenticatedUserPassword: () => botPassword,
        setup,
      }),
      new RegExp(
        `^UserError: user "${ids.bot}" may not apply the identity changes of environments/${environment}\\.yaml: it lacks CREATE on Group; nothing was changed\\.`,
      ),
    );
    const group = await engine.client.api.GET("/group/{id}", { params: { path: { id: `extra-${tag}` } } });
    assert.equal(group.response.status, 404, "nothing was created");
    await applySetup(setup, admin, adminPassword.password);
    assert.deepEqual((await planIdentities(admin, setup)).plan.changes, []);
  });

  it("a rotated password is set, then matches", async () => {
    const rotated = `bot-${randomBytes(9).toString("base64url")}`;
    const setup = identitySetup(environment, config(), { BOT_PASSWORD: rotated });
    const prepared = await planIdentities(engine.client, setup);
    assert.deepEqual(
      prepared.plan.changes.filter((c) => c.kind === "set-password"),
      [{ kind: "set-password", id: ids.bot, password: { env: "BOT_PASSWORD" } }],
    );
    await applySetup(setup);
    const bot = login(ids.bot, rotated);
    assert.equal((await bot.api.GET("/deployment")).response.status, 200);
    assert.equal((await login(ids.bot, botPassword).api.GET("/deployment")).response.status, 401);
    assert.ok(
      !(await planIdentities(engine.client, setup)).plan.changes.some((c) => c.kind === "set-password"),
    );
  });

  it("removed users and groups are deleted with their grants; undeclared filters of the environment go", async () => {
    const withLeaver = config((c) => {
      c.users[ids.leaver] = {
        firstName: "Lee",
        lastName: "Leaver",
        password: "generated",
        groups: [ids.auditors],
        grants: [{ resource: "Application", ids: ["cockpit"], permissions: ["ACCESS"] }],
      };
    });
    await applySetup(identitySetup(environment, withLeaver, { BOT_PASSWORD: "unused" }));
    const gone = config((c) => {
      delete c.groups[ids.auditors];
      c.filters = [];
      c.removed = { users: [ids.leaver], groups: [ids.auditors] };
    });
    const setup = identitySetup(environment, gone, { BOT_PASSWORD: "unused" });
    const prepared = await applySetup(setup);
    const kinds = prepared.plan.changes.map((c) => c.kind);
    for (const kind of ["revoke", "remove-member", "delete-user", "delete-group", "delete-filter"])
      assert.ok(kinds.includes(kind as never), `no ${kind} in ${kinds.join(", ")}`);
    for (const [path, id] of [
      ["/user/{id}/profile", ids.leaver],
      ["/group/{id}", ids.auditors],
    ] as const) {
      const found = await engine.client.api.GET(path, { params: { path: { id } } });
      assert.equal(found.response.status, 404, `${id} still exists`);
    }
    const leftovers = await engine.client.ok(
      engine.client.api.GET("/authorization", { params: { query: { userIdIn: ids.leaver } } }),
    );
    assert.deepEqual(leftovers, []);
    assert.deepEqual((await planIdentities(engine.client, setup)).plan.changes, []);
  });
});
