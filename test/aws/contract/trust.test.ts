/**
 * Who can assume what, evaluated by the IAM simulator on the trust policies bootstrap.yaml creates:
 * each job that assumes a role (found in the workflows) presents the OIDC token GitHub would give
 * it, with the repository's subject claim customised to include job_workflow_ref (docs/aws.md), and
 * must be let in; the same token from another branch, workflow file, environment, repository or
 * identity provider must not. The services' roles trust their service in this account only.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { exampleRepository } from "#core/infrastructure/parameters.js";
import { repoPath } from "../../support/repo.js";
import { allEnvironments } from "./lib/environments.js";
import { canAssumeWithWebIdentity, canServiceAssume, type Role, rolesOf } from "./lib/iam.js";
import { resolveEnvironment } from "./lib/stacks.js";
import { type AssumedSession, assumedSessions, tokenClaims } from "./lib/workflows.js";

const environments = allEnvironments().filter((config) => config.aws && config.infrastructure);
const repository = exampleRepository;

function rolesFor(name: string): Map<string, Role> {
  const config = environments.find((e) => e.name === name)!;
  return rolesOf(resolveEnvironment(config, { repository, allEnvironments: environments }));
}

/** Every way the trust policies disagree with the workflows: a job locked out, or a stranger let in. */
function trustProblems(roles: Map<string, Role>, sessions: AssumedSession[], environment: string): string[] {
  const problems: string[] = [];
  const byArn = (arn: string) => [...roles.values()].find((r) => r.arn === arn);
  for (const session of sessions) {
    const target = byArn(session.roleArn);
    if (!target) {
      problems.push(`${session.workflow}#${session.job} assumes ${session.roleArn}, which no stack creates`);
      continue;
    }
    const good = tokenClaims(session, repository);
    if (canAssumeWithWebIdentity(target, { claims: good }) !== "Allowed") {
      problems.push(`${target.id} locks out ${session.workflow}#${session.job} (sub ${good.sub})`);
    }
    const otherRef = session.trigger === "pull_request" ? "refs/heads/main" : "refs/heads/feature/try";
    const variants: [string, Record<string, string>, string?][] = [
      ["another branch", tokenClaims(session, repository, otherRef)],
      ["another workflow file", tokenClaims({ ...session, workflow: "pull-request.yml" }, repository)],
      ["another repository", tokenClaims(session, "someone/camunda-gitops-fork")],
      ["another audience", { ...good, aud: "sigstore" }],
      [
        "the default subject (no job_workflow_ref)",
        { ...good, sub: good.sub!.replace(/:job_workflow_ref:.*$/, "") },
      ],
      ["another identity provider", good, `arn:aws:iam::${target.account}:oidc-provider/gitlab.com`],
    ];
    if (session.githubEnvironment) {
      const other = session.githubEnvironment === "prod" ? "dev" : "prod";
      variants.push(
        ["another GitHub environment", tokenClaims({ ...session, githubEnvironment: other }, repository)],
        [
          "a pull request",
          tokenClaims({ ...session, githubEnvironment: undefined, trigger: "pull_request" }, repository),
        ],
        ["a job without environment", tokenClaims({ ...session, githubEnvironment: undefined }, repository)],
      );
    } else {
      variants.push([
        "a job in a GitHub environment",
        tokenClaims({ ...session, githubEnvironment: environment, trigger: "branch" }, repository),
      ]);
    }
    for (const [label, claims, provider] of variants) {
      if (canAssumeWithWebIdentity(target, { claims, provider }) === "Allowed") {
        problems.push(`${target.id} lets in ${label} (sub ${claims.sub})`);
      }
    }
  }
  return problems;
}

describe("trust: GitHub jobs", () => {
  for (const config of environments) {
    const roles = rolesFor(config.name);
    const sessions = assumedSessions(config);

    test(`${config.name}: each job that assumes a role gets in with its own token, and with no other`, () => {
      assert.equal(sessions.length, 3);
      assert.deepEqual(trustProblems(roles, sessions, config.name), []);
    });

    test(`${config.name}: no role trusts GitHub except the three the workflows assume`, () => {
      const assumed = new Set(sessions.map((s) => [...roles.values()].find((r) => r.arn === s.roleArn)!.id));
      for (const role of roles.values()) {
        const federated = JSON.stringify(role.trust).includes("Federated");
        assert.equal(federated, assumed.has(role.id), `${role.id} trusts a web identity provider`);
      }
      assert.deepEqual([...assumed].sort(), [
        "bootstrap.DeployRole",
        "bootstrap.InfrastructureRole",
        "bootstrap.PlanRole",
      ]);
    });
    test(`${config.name}: service roles trust their service in this account only`, () => {
      const expected: Record<string, string> = {
        "bootstrap.ExecutionRole": "cloudformation.amazonaws.com",
        "network.FlowLogRole": "vpc-flow-logs.amazonaws.com",
        "data.MonitoringRole": "monitoring.rds.amazonaws.com",
        "data.DatabaseUserProvisionerRole": "lambda.amazonaws.com",
        "app.InstanceRole": "ec2.amazonaws.com",
        "delivery.CodeDeployServiceRole": "codedeploy.amazonaws.com",
      };
      const services = [...roles.values()].filter((r) => !JSON.stringify(r.trust).includes("Federated"));
      assert.deepEqual(services.map((r) => r.id).sort(), Object.keys(expected).sort());
      for (const role of services) {
        const service = expected[role.id]!;
        assert.equal(
          canServiceAssume(role, service, { "aws:SourceAccount": role.account }),
          "Allowed",
          role.id,
        );
        for (const other of Object.values(expected).filter((s) => s !== service)) {
          assert.notEqual(
            canServiceAssume(role, other, { "aws:SourceAccount": role.account }),
            "Allowed",
            `${role.id} ← ${other}`,
          );
        }
        // EC2 sends no aws:SourceAccount when it assumes an instance role; every other trust names
        // the account, against confused deputies.
        if (role.id !== "app.InstanceRole") {
          assert.notEqual(
            canServiceAssume(role, service, { "aws:SourceAccount": "999999999999" }),
            "Allowed",
            `${role.id} trusts ${service} on behalf of another account`,
          );
        }
      }
    });
  }

  test("a trust policy widened to any branch is caught (the check can fail)", () => {
    const config = environments.find((e) => e.name === "dev")!;
    const original = readFileSync(repoPath("cloudformation", "bootstrap.yaml"), "utf8");
    const line = original.split("\n").find((l) => l.includes("deploy-infrastructure.yml@refs/heads/"))!;
    const indent = line.slice(0, line.indexOf("token"));
    const text = original.replace(
      line,
      `${indent.slice(2)}StringLike:\n${indent}token.actions.githubusercontent.com:sub: !Sub "repo:\${GitHubRepository}:*"`,
    );
    const roles = rolesOf(resolveEnvironment(config, { repository, templateText: { bootstrap: text } }));
    const problems = trustProblems(roles, assumedSessions(config), "dev");
    assert.ok(problems.length >= 3, problems.join("\n"));
    assert.ok(
      problems.some((p) => /^bootstrap\.DeployRole lets in another branch/.test(p)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => /^bootstrap\.DeployRole lets in a pull request/.test(p)),
      problems.join("\n"),
    );
  });
});
