/**
 * The stack plan derived from environments/<name>.yaml: every parameter a stack gets exists in its
 * template and satisfies the template's own constraints (cfn-lint does not check values), required
 * parameters are all given, and environment-level rules hold before anything reaches AWS.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { listEnvironments, loadEnvironment } from "#core/environments/load.js";
import type { EnvironmentConfig } from "#core/environments/schema.js";
import { run } from "#core/infrastructure/cli.js";
import {
  allStacks,
  createsOidcProvider,
  deployOrder,
  environmentProblems,
  exampleRepository,
  executionRoleArn,
  permissionsBoundaryArn,
  planDeployment,
  planRoleArn,
  planStack,
  runtimeParameterPath,
  stackNames,
} from "#core/infrastructure/parameters.js";
import { UsageError } from "#core/util/errors.js";
import { repoPath } from "../../support/repo.js";
import { loadTemplates } from "./templates.js";

const environmentsFolder = repoPath("environments");

const templates = loadTemplates();
const environments = listEnvironments(environmentsFolder).map(
  (name) => loadEnvironment(name, { dir: environmentsFolder }).config,
);
const awsEnvironments = environments.filter((e) => e.aws && e.infrastructure);

function byName(name: string): EnvironmentConfig {
  const found = environments.find((e) => e.name === name);
  assert.ok(found, `environments/${name}.yaml is missing`);
  return found;
}

describe("stack parameters from the environment files", () => {
  for (const config of awsEnvironments) {
    test(`${config.name}: every parameter exists in its template and satisfies its constraints`, () => {
      for (const key of allStacks) {
        const plan = planStack(config, key, { repository: exampleRepository, allEnvironments: environments });
        const template = templates.get(key);
        assert.ok(template, `cloudformation/${key}.yaml`);
        for (const [name, value] of Object.entries(plan.parameters)) {
          const spec = template.Parameters[name];
          assert.ok(spec, `${key}.yaml has no parameter ${name}`);
          if (spec.AllowedPattern)
            assert.match(value, new RegExp(String(spec.AllowedPattern)), `${key}.yaml ${name}=${value}`);
          if (spec.AllowedValues)
            assert.ok(
              (spec.AllowedValues as unknown[]).map(String).includes(value),
              `${key}.yaml ${name}=${value}`,
            );
          if (spec.MinValue !== undefined)
            assert.ok(Number(value) >= Number(spec.MinValue), `${key}.yaml ${name}=${value}`);
          if (spec.MaxValue !== undefined)
            assert.ok(Number(value) <= Number(spec.MaxValue), `${key}.yaml ${name}=${value}`);
        }
        for (const [name, spec] of Object.entries(template.Parameters)) {
          if (spec.Default === undefined)
            assert.ok(name in plan.parameters, `${config.name}: ${key}.yaml needs ${name}`);
        }
      }
      assert.deepEqual(environmentProblems(config), []);
    });
  }

  test("the stacks deploy in dependency order: each imports only from stacks before it", () => {
    assert.deepEqual([...deployOrder], ["network", "data", "app", "alarms", "delivery"]);
    const parameterFor: Record<string, string> = {
      NetworkStackName: "network",
      DataStackName: "data",
      AppStackName: "app",
      AlarmsStackName: "alarms",
    };
    for (const [index, key] of deployOrder.entries()) {
      const imports = Object.keys(templates.get(key)?.Parameters ?? {})
        .map((p) => parameterFor[p])
        .filter((k): k is string => k !== undefined);
      for (const dependency of imports) {
        assert.ok(
          deployOrder.indexOf(dependency as never) < index,
          `${key} imports from ${dependency}, which deploys later`,
        );
      }
    }
  });

  test("dev is one host behind HTTPS with a 7-day backup; prod is a cluster with protection and 14 days", () => {
    const dev = Object.fromEntries(planDeployment(byName("dev")).map((p) => [p.key, p.parameters]));
    assert.equal(dev.app?.EngineNodes, "1");
    assert.match(dev.app?.CertificateArn ?? "", /^arn:aws:acm:/, "every shipped environment serves HTTPS");
    assert.equal(dev.data?.BackupRetentionDays, "7");
    const prod = Object.fromEntries(planDeployment(byName("prod")).map((p) => [p.key, p.parameters]));
    assert.equal(prod.app?.EngineNodes, "2");
    assert.equal(prod.data?.DeletionProtection, "true");
    assert.equal(prod.data?.MultiAz, "true");
    assert.ok(Number(prod.data?.BackupRetentionDays) >= 14);
    // Business alarm thresholds per environment: prod pages sooner than dev.
    assert.equal(prod.alarms?.OldestExternalTaskSeconds, "300");
    assert.equal(prod.alarms?.OldestReviewSeconds, "86400");
    assert.equal(dev.alarms?.OldestExternalTaskSeconds, "3600");
    const staging = Object.fromEntries(planDeployment(byName("staging")).map((p) => [p.key, p.parameters]));
    assert.equal(staging.alarms?.OldestExternalTaskSeconds, "900", "the schema's default: 15 minutes");
    assert.equal(prod.data?.RuntimeParameterPath, runtimeParameterPath(byName("prod").aws!));
    // Every stack that creates roles gets the boundary the bootstrap stack creates.
    for (const key of ["network", "data", "app", "delivery"] as const)
      assert.equal(prod[key]?.PermissionsBoundaryArn, permissionsBoundaryArn(byName("prod").aws!), key);
    assert.equal(
      permissionsBoundaryArn(byName("prod").aws!),
      "arn:aws:iam::333333333333:policy/camunda-prod-github-infrastructure-boundary",
    );
  });

  test("prod without a certificate is refused before anything reaches AWS", () => {
    const { certificateArn: _dropped, ...rest } = byName("prod").infrastructure!;
    const plainProd = { ...byName("prod"), infrastructure: { ...rest, engineNodes: 1 } };
    assert.deepEqual(environmentProblems(plainProd), [
      "infrastructure.certificateArn is not set; prod serves Cockpit, Tasklist and the REST API over HTTPS only",
    ]);
  });

  test("names and roles derive from the environment file", () => {
    const aws = byName("staging").aws!;
    assert.equal(stackNames(aws).alarms, `${aws.stacks.app}-alarms`);
    assert.equal(stackNames(aws).bootstrap, "camunda-staging-bootstrap");
    assert.equal(executionRoleArn(aws), `${aws.infrastructureRoleArn}-cfn`);
    assert.equal(planRoleArn(aws), `${aws.infrastructureRoleArn}-plan`);
    const bootstrap = planStack(byName("staging"), "bootstrap", {
      repository: "acme/platform",
      allEnvironments: environments,
    });
    assert.equal(
      bootstrap.parameters.EnvironmentName,
      "staging",
      "the trust policy's subject names this environment",
    );
    assert.equal(bootstrap.parameters.GitHubRepository, "acme/platform");
    assert.equal(bootstrap.parameters.InfrastructureRoleName, "camunda-staging-github-infrastructure");
    assert.deepEqual(bootstrap.capabilities, ["CAPABILITY_NAMED_IAM"]);
  });

  test("each account's first environment creates the OIDC provider: one account each, or one shared", () => {
    // As shipped: one account per environment, so each bootstrap stack creates its provider.
    for (const name of ["dev", "staging", "prod"])
      assert.equal(createsOidcProvider(name, byName(name).aws!.accountId, environments), true, name);
    // One shared account: dev creates it, the others refer to it.
    const shared = ["dev", "staging", "prod"].map((name) => ({
      ...byName(name),
      aws: { ...byName(name).aws!, accountId: "111111111111" },
    }));
    assert.equal(createsOidcProvider("dev", "111111111111", shared), true);
    assert.equal(createsOidcProvider("staging", "111111111111", shared), false);
    assert.equal(createsOidcProvider("prod", "111111111111", shared), false);
  });

  test("bad input is one clear sentence", () => {
    assert.throws(
      () => planStack(byName("local"), "network"),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(
          e.message,
          /environment "local" has no aws or infrastructure block in environments\/local\.yaml/,
        );
        return true;
      },
    );
    assert.throws(
      () => planStack(byName("dev"), "bootstrap", {}),
      /needs the GitHub repository as owner\/name.*--repository/,
    );
    assert.throws(() => planStack(byName("dev"), "bootstrap", { repository: "not a repo" }), UsageError);
    const weakProd = {
      ...byName("prod"),
      infrastructure: { ...byName("prod").infrastructure!, backupRetentionDays: 7 },
    };
    assert.deepEqual(environmentProblems(weakProd), [
      "infrastructure.backupRetentionDays is 7; prod keeps at least 14 days",
    ]);
    assert.throws(
      () => run(["dev", "--stack", "nope"]),
      /unknown stack "nope"; choose one of bootstrap, network/,
    );
    assert.throws(() => run([]), /give exactly one environment name/);
    assert.throws(
      () => run(["dev", "--bogus"]),
      (e: unknown) => e instanceof UsageError,
    );
  });

  test("the workflow output names every stack, template and role", () => {
    const out = run(["prod", "--format", "github-output"], {});
    const values = Object.fromEntries(
      out
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    assert.equal(values["network-stack"], "camunda-prod-network");
    assert.equal(values["alarms-stack"], "camunda-prod-app-alarms");
    assert.equal(values["delivery-template"], "cloudformation/delivery.yaml");
    assert.equal(values["execution-role"], `${byName("prod").aws!.infrastructureRoleArn}-cfn`);
    assert.equal(values.region, "eu-west-2");
    assert.deepEqual(JSON.parse(values["stack-tags"]!), [{ Key: "camunda:environment", Value: "prod" }]);
    const json = JSON.parse(run(["dev", "--stack", "bootstrap", "--repository", "acme/platform"], {})) as {
      parameters: Record<string, string>;
    }[];
    assert.equal(json[0]?.parameters.CreateOidcProvider, "true");
  });
});
