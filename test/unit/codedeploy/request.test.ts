import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isFatalAwsError } from "#core/aws/clients.js";
import { deploymentDescription, maxDescriptionLength } from "#core/codedeploy/request.js";
import { awsError } from "./support.js";

describe("deployment request helpers", () => {
  test("the description names repo@sha and the run, within 256 characters", () => {
    const text = deploymentDescription({
      repository: "acme/camunda-platform",
      sha: "0123456789abcdef0123456789abcdef01234567",
      runUrl: "https://github.com/acme/camunda-platform/actions/runs/123456789/attempts/1",
    });
    assert.equal(
      text,
      "camunda-gitops acme/camunda-platform@0123456789ab run https://github.com/acme/camunda-platform/actions/runs/123456789/attempts/1",
    );
    const long = deploymentDescription({
      repository: "acme/camunda-platform",
      sha: "0123456789abcdef",
      runUrl: `https://github.com/${"x".repeat(300)}`,
      note: "manual",
    });
    assert.ok(long.length <= maxDescriptionLength);
    assert.equal(
      long,
      "camunda-gitops acme/camunda-platform@0123456789ab",
      "the URL is dropped before repo@sha is cut",
    );
    assert.ok(
      deploymentDescription({ repository: "r".repeat(400), sha: "abc" }).length <= maxDescriptionLength,
    );
  });

  test("errors are classified by name: fatal ones are never retried", () => {
    for (const name of [
      "AccessDeniedException",
      "ExpiredTokenException",
      "ValidationException",
      "InvalidDeploymentIdException",
      "DeploymentGroupDoesNotExistException",
      "UnrecognizedClientException",
    ]) {
      assert.equal(isFatalAwsError(awsError(name)), true, name);
    }
    for (const name of ["ThrottlingException", "InternalFailure", "TimeoutError", "ECONNRESET"]) {
      assert.equal(isFatalAwsError(awsError(name, 500)), false, name);
    }
  });
});
