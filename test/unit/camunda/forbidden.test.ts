/**
 * The sentence of a 403, from AuthorizationException bodies as the 7.23 engine sends them (copied
 * from answers of the real engine; test/integration/identities/least-privilege.test.ts asserts the
 * same sentences against the engine itself).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CamundaError } from "#core/camunda/errors.js";
import {
  describeForbidden,
  grantableAlternative,
  parseMissingAuthorizations,
} from "#core/camunda/forbidden.js";

const deployRefused = {
  type: "AuthorizationException",
  message: "The user with id 'workers' does not have 'CREATE' permission on resource 'Deployment'.",
  code: 0,
  userId: "workers",
  resourceName: "Deployment",
  resourceId: null,
  permissionName: "CREATE",
  missingAuthorizations: [{ permissionName: "CREATE", resourceName: "Deployment", resourceId: null }],
};

const variablesRefused = {
  type: "AuthorizationException",
  message:
    "The user with id 'uw1' does not have one of the following permissions: 'READ' permission on resource '4548' of type 'ProcessInstance' or 'READ_INSTANCE' permission on resource 'insurance_process' of type 'ProcessDefinition'",
  code: 0,
  userId: "uw1",
  resourceName: null,
  resourceId: null,
  permissionName: null,
  missingAuthorizations: [
    { permissionName: "READ", resourceName: "ProcessInstance", resourceId: "4548" },
    { permissionName: "READ_INSTANCE", resourceName: "ProcessDefinition", resourceId: "insurance_process" },
  ],
};

describe("a 403 as one sentence", () => {
  it("reads the engine's missing authorizations, with the engine's odd spellings mapped", () => {
    assert.deepEqual(parseMissingAuthorizations(deployRefused), [
      { permission: "CREATE", resource: "Deployment", resourceId: null },
    ]);
    assert.deepEqual(
      parseMissingAuthorizations({
        missingAuthorizations: [
          { permissionName: "CREATE", resourceName: "Group membership", resourceId: "underwriters" },
          { permissionName: "READ", resourceName: "OperationLogCatgeory", resourceId: "*" },
        ],
      }),
      [
        { permission: "CREATE", resource: "GroupMembership", resourceId: "underwriters" },
        { permission: "READ", resource: "OperationLogCategory", resourceId: "*" },
      ],
    );
    assert.deepEqual(parseMissingAuthorizations({ type: "RestException", message: "x" }), []);
    assert.deepEqual(parseMissingAuthorizations("<html>"), []);
  });

  it("names the user, the call, the missing permission and where to grant it", () => {
    const error = new CamundaError({
      status: 403,
      method: "POST",
      path: "/deployment/create",
      baseUrl: "https://camunda.dev.example.internal/engine-rest",
      type: "AuthorizationException",
      engineMessage: deployRefused.message,
      username: "workers",
      missingAuthorizations: parseMissingAuthorizations(deployRefused),
      grantHint: { environmentFile: "environments/dev.yaml" },
    });
    assert.equal(
      error.message,
      'user "workers" may not POST https://camunda.dev.example.internal/engine-rest/deployment/create (403): it lacks CREATE on Deployment; to allow it, grant { resource: Deployment, ids: ["*"], permissions: [CREATE] } in environments/dev.yaml under identities (that user\'s or one of its groups\' grants) and release it.',
    );
    assert.equal(error.status, 403);
    assert.equal(error.missingAuthorizations.length, 1);
  });

  it("lists the alternatives and proposes the grant on the definition, not on one instance", () => {
    const missing = parseMissingAuthorizations(variablesRefused);
    assert.deepEqual(grantableAlternative(missing), {
      permission: "READ_INSTANCE",
      resource: "ProcessDefinition",
      resourceId: "insurance_process",
    });
    const sentence = describeForbidden({
      username: "uw1",
      method: "GET",
      where: "http://127.0.0.1:8080/engine-rest/process-instance/4548/variables",
      missing,
      engineMessage: variablesRefused.message,
    });
    assert.match(
      sentence,
      /^user "uw1" may not GET \S+\/process-instance\/4548\/variables \(403\): it needs one of READ on ProcessInstance "4548", READ_INSTANCE on ProcessDefinition "insurance_process"; to allow it, grant \{ resource: ProcessDefinition, ids: \["insurance_process"\], permissions: \[READ_INSTANCE\] \} under identities in the environment file and release it\.$/,
    );
  });

  it("a task-only alternative becomes a grant on every task", () => {
    const missing = [{ permission: "TASK_WORK", resource: "Task", resourceId: "t-1" }];
    assert.deepEqual(grantableAlternative(missing), {
      permission: "TASK_WORK",
      resource: "Task",
      resourceId: null,
    });
  });

  it("a 403 without details (a proxy) still says who and where", () => {
    const sentence = describeForbidden({
      username: undefined,
      method: "GET",
      where: "https://x/engine-rest/task",
      missing: [],
      engineMessage: "Forbidden",
    });
    assert.equal(
      sentence,
      "the anonymous caller is not authorized for GET https://x/engine-rest/task (403: Forbidden); grant the permission under identities in the environment file and release it, or use another user.",
    );
  });
});
