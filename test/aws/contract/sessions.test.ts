/**
 * Contract between the workflows and the bootstrap roles, checked statically because nothing
 * offline enforces it (moto's STS accepts any DurationSeconds, IAM evaluators do not model it):
 * STS refuses a session longer than the role's MaxSessionDuration, and a job that outlives its
 * session loses its credentials half-way through a deployment.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EnvironmentConfig } from "#core/environments/schema.js";
import { allEnvironments } from "./lib/environments.js";
import { type Role, rolesOf } from "./lib/iam.js";
import { resolveEnvironment } from "./lib/stacks.js";
import { type AssumedSession, assumedSessions, type Workflow, withEditedWorkflow } from "./lib/workflows.js";

const environments = allEnvironments().filter((config) => config.aws && config.infrastructure);

/** STS: AssumeRoleWithWebIdentity accepts 900 s up to the role's maximum, which is at most 12 h. */
const stsMinimumSeconds = 900;
const iamMaximumSeconds = 43_200;

export function sessionProblems(sessions: AssumedSession[], roles: Role[]): string[] {
  const problems: string[] = [];
  for (const s of sessions) {
    const where = `${s.workflow} job ${s.job} (step "${s.step}")`;
    const role = roles.find((r) => r.arn === s.roleArn);
    if (!role) {
      problems.push(`${where} assumes ${s.roleArn}, which no stack creates`);
      continue;
    }
    if (s.durationSeconds > role.maxSessionDuration) {
      problems.push(
        `${where} asks for ${s.durationSeconds} s but ${role.id} allows at most ${role.maxSessionDuration} s (MaxSessionDuration): STS refuses the session`,
      );
    }
    if (s.durationSeconds < stsMinimumSeconds) {
      problems.push(
        `${where} asks for ${s.durationSeconds} s, below the STS minimum of ${stsMinimumSeconds} s`,
      );
    }
    if (s.jobTimeoutMinutes * 60 > s.durationSeconds) {
      problems.push(
        `${where} may run ${s.jobTimeoutMinutes} min but its session ends after ${s.durationSeconds / 60} min: raise role-duration-seconds (and the role's MaxSessionDuration) or lower timeout-minutes`,
      );
    }
  }
  for (const role of roles) {
    if (role.maxSessionDuration < 3600 || role.maxSessionDuration > iamMaximumSeconds) {
      problems.push(
        `${role.id} has MaxSessionDuration ${role.maxSessionDuration}; IAM accepts 3600 to ${iamMaximumSeconds}`,
      );
    }
  }
  return problems;
}

function check(config: EnvironmentConfig, workflows?: Workflow[]): string[] {
  const roles = [...rolesOf(resolveEnvironment(config)).values()];
  return sessionProblems(assumedSessions(config, workflows), roles);
}

describe("sessions: workflows against the roles they assume", () => {
  for (const config of environments) {
    test(`${config.name}: every session fits its role's maximum and lasts as long as the job may run`, () => {
      const sessions = assumedSessions(config);
      // The stack deployment, the runtime deployment and the pull-request change sets.
      assert.deepEqual(sessions.map((s) => `${s.workflow}#${s.job}`).sort(), [
        "deploy-infrastructure.yml#runtime",
        "deploy-stacks.yml#deploy",
        "infrastructure-changeset.yml#changeset",
      ]);
      assert.deepEqual(check(config), []);
    });
  }

  test("a session longer than the role allows is refused (the check can fail)", () => {
    const dev = environments.find((e) => e.name === "dev")!;
    const workflows = withEditedWorkflow("deploy-infrastructure.yml", (t) =>
      t.replace(/role-duration-seconds: \d+/, "role-duration-seconds: 43200"),
    );
    const problems = check(dev, workflows);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0]!,
      /deploy-infrastructure\.yml job runtime .* asks for 43200 s but bootstrap\.DeployRole allows at most \d+ s/,
    );
  });

  test("a job that outlives its session is refused (the check can fail)", () => {
    const dev = environments.find((e) => e.name === "dev")!;
    const workflows = withEditedWorkflow("deploy-stacks.yml", (t) =>
      t.replace(/timeout-minutes: 120/, "timeout-minutes: 600"),
    );
    const problems = check(dev, workflows);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0]!,
      /deploy-stacks\.yml job deploy .* may run 600 min but its session ends after \d+ min/,
    );
  });
});
