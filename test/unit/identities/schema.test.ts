// biome-ignore-all lint/suspicious/noTemplateCurlyInString: JUEL expressions of Tasklist filters
/**
 * The identities section of environment files: every committed file is valid, and each mistake a
 * person can make is refused with the file, the line and what to do (through the same loader the
 * release uses).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { listEnvironments, loadEnvironment } from "#core/environments/load.js";
import { UsageError } from "#core/util/errors.js";
import { repoPath } from "../../support/repo.js";

const environmentsDir = repoPath("environments");

/** environments/<base>.yaml with `edit` applied to its text, loaded from a temporary folder. */
function loadEdited(base: string, edit: (text: string) => string, name = base) {
  const dir = mkdtempSync(path.join(tmpdir(), "identities-schema-"));
  const text = edit(readFileSync(path.join(environmentsDir, `${base}.yaml`), "utf8"));
  writeFileSync(path.join(dir, `${name}.yaml`), text.replace(/^name: \w+$/m, `name: ${name}`));
  return () => loadEnvironment(name, { dir, env: {} });
}

function refused(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return [error.message, ...error.details].join("\n");
  }
  assert.fail("the file was accepted");
}

describe("identities in environment files", () => {
  it("every committed environment declares groups, technical users, grants and filters", () => {
    for (const name of listEnvironments(environmentsDir)) {
      const identities = loadEnvironment(name, { dir: environmentsDir, env: {} }).config.identities;
      assert.ok(identities, `${name} declares no identities`);
      for (const group of ["underwriters", "senior-underwriters", "supervisors", "clerks"])
        assert.ok(identities.groups[group], `${name}: group ${group}`);
      for (const user of ["release", "plan", "workers", "monitoring"])
        assert.ok(identities.users[user], `${name}: user ${user}`);
      assert.deepEqual(
        identities.filters.map((f) => f.name),
        ["Reviews for my groups", "Senior reviews", "Overdue reviews", "All open reviews", "Document checks"],
      );
      if (name !== "local") {
        for (const [id, user] of Object.entries(identities.users))
          assert.notEqual(user.password, "generated", `${name}: user ${id} has a generated password`);
      }
    }
  });

  it("prod asks for --allow-revocations; the others apply revocations directly", () => {
    const confirm = (name: string) =>
      loadEnvironment(name, { dir: environmentsDir, env: {} }).config.identities?.confirmRevocations;
    assert.equal(confirm("prod"), true);
    assert.equal(confirm("local"), false);
    assert.equal(confirm("dev"), false);
  });

  it("refuses a permission the resource type does not have, naming the ones it has", () => {
    const message = refused(
      loadEdited("local", (t) =>
        t.replace("permissions: [READ_INSTANCE, UPDATE_INSTANCE]", "permissions: [READ_INSTANCE, CREATE]"),
      ),
    );
    assert.match(
      message,
      /local\.yaml:\d+: identities\.users\.workers\.grants\.0\.permissions\.1: CREATE is not a permission of ProcessDefinition; it has READ, UPDATE, DELETE, SUSPEND/,
    );
  });

  it("refuses an unknown resource type and an id on a type whose objects the engine creates", () => {
    const message = refused(
      loadEdited("local", (t) =>
        t
          .replace(
            "- resource: Filter\n          permissions: [READ]\n      # No",
            "- resource: Decisions\n          permissions: [READ]\n      # No",
          )
          .replace(
            "- resource: Deployment\n          permissions: [CREATE, READ]",
            "- resource: Deployment\n          ids: [abc]\n          permissions: [CREATE, READ]",
          ),
      ),
    );
    assert.match(
      message,
      /identities\.users\.release\.grants\.\d\.resource: must be one of Camunda's resource types: Application, User/,
    );
    assert.match(
      message,
      /identities\.users\.release\.grants\.0\.ids\.0: must be "\*": single Deployment ids are created at runtime/,
    );
  });

  it("refuses an application that does not exist and a filter id", () => {
    const message = refused(
      loadEdited("local", (t) => t.replace("ids: [tasklist, cockpit]", "ids: [tasklist, cockpits]")),
    );
    assert.match(
      message,
      /identities\.groups\.supervisors\.grants\.0\.ids\.1: must be one of cockpit, tasklist, admin, welcome, \*/,
    );
  });

  it("refuses camunda-admin, undeclared groups, duplicate filters and a user both declared and removed", () => {
    const admin = refused(
      loadEdited("local", (t) =>
        t.replace(
          "    clerks:\n      name: Document clerks",
          "    camunda-admin:\n      name: Admins\n    clerks:\n      name: Document clerks",
        ),
      ),
    );
    assert.match(
      admin,
      /local\.yaml:\d+: identities\.groups\.camunda-admin: camunda-admin is the engine's break-glass administrators group and is not managed here/,
    );
    const message = refused(
      loadEdited("local", (t) =>
        t
          .replace("groups: [underwriters]\n", "groups: [underwriter]\n")
          .replace("- name: Senior reviews", "- name: Reviews for my groups")
          .replace("identities:\n  groups:", "identities:\n  removed:\n    users: [workers]\n  groups:"),
      ),
    );
    assert.match(
      message,
      /identities\.users\.underwriter\.groups\.0: group "underwriter" is not declared under identities\.groups/,
    );
    assert.match(message, /identities\.filters\.1\.name: "Reviews for my groups" is declared twice/);
    assert.match(message, /identities\.removed\.users\.0: user "workers" is both declared and removed/);
  });

  it("refuses ids the engine would refuse", () => {
    const message = refused(
      loadEdited("local", (t) =>
        t
          .replace("    underwriter:\n      firstName", "    under-writer:\n      firstName")
          .replace("  groups:\n    # Ids", "  groups:\n    under--writers:\n      name: X\n    # Ids"),
      ),
    );
    assert.match(message, /identities\.users\.under-writer: must be 1-64 letters and digits/);
    assert.match(
      message,
      /identities\.groups\.under--writers: must be letters and digits with single hyphens/,
    );
  });

  it("refuses filter expressions beyond the documented query functions, and misplaced criteria", () => {
    const message = refused(
      loadEdited("local", (t) =>
        t
          .replace(
            "candidateGroupsExpression: ${currentUserGroups()}",
            "candidateGroupsExpression: ${execution.getProcessEngineServices().getIdentityService()}",
          )
          .replace(
            "createdBeforeExpression: ${dateTime().minusDays(2).toDate()}",
            "createdBeforeExpression: ${dateTime().minusDays(2).toDate()}\n        includeAssignedTasks: true",
          )
          .replace(
            "processDefinitionKey: document_request\n",
            "processDefinitionKey: document_request\n        processDefinitionKeyLike: doc\n",
          ),
      ),
    );
    assert.match(
      message,
      /identities\.filters\.0\.query\.candidateGroupsExpression: must be one of \$\{currentUser\(\)\}/,
    );
    assert.match(
      message,
      /identities\.filters\.2\.query\.includeAssignedTasks: applies only with a candidate criterion/,
    );
    assert.match(message, /identities\.filters\.4\.query: Unrecognized key: "processDefinitionKeyLike"/);
  });

  it('refuses "generated" passwords outside the local environment, and a password written in the file', () => {
    const generated = refused(
      loadEdited(
        "dev",
        (t) => t.replace("password: { env: CAMUNDA_WORKERS_PASSWORD }", "password: generated"),
        "dev",
      ),
    );
    assert.match(
      generated,
      /identities\.users\.workers\.password: "generated" exists only for the local engine/,
    );
    const literal = refused(
      loadEdited(
        "dev",
        (t) => t.replace("password: { env: CAMUNDA_WORKERS_PASSWORD }", "password: s3cret-in-git"),
        "dev",
      ),
    );
    assert.match(literal, /identities\.users\.workers\.password: must be \{ env: VARIABLE \}/);
  });
});
