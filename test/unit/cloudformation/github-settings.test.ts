/**
 * scripts/check-github-settings.ts: the repository settings no file can enforce (OIDC subject claim,
 * environment branch policies and reviewers, the release runner group), checked through the GitHub
 * API. Here GitHub is a fake on loopback that answers the documented routes (the tests say so in
 * their names) and the script's real Octokit client talks to it; the last test runs against the real
 * API when a token and a repository are given.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { getOctokit } from "@actions/github";
import { listEnvironments, loadEnvironment } from "#core/environments/load.js";
import {
  checkGitHubSettings,
  expectedSubjectClaims,
  type GitHubRequest,
} from "../../../scripts/check-github-settings.js";
import { repoPath, repoRoot } from "../../support/repo.js";

const dir = repoPath("environments");
const environments = listEnvironments(dir).map((name) => loadEnvironment(name, { dir }).config);
const repository = "acme/camunda-gitops";

type Routes = Record<string, unknown | { status: number }>;

/** GitHub as the repository's declarations want it. */
function declared(): Routes {
  const routes: Routes = {
    "/repos/acme/camunda-gitops/actions/oidc/customization/sub": {
      use_default: false,
      include_claim_keys: expectedSubjectClaims,
    },
    "/repos/acme/camunda-gitops/actions/variables/CAMUNDA_RELEASE_RUNNER_GROUP": {
      name: "CAMUNDA_RELEASE_RUNNER_GROUP",
      value: "camunda-release",
    },
    "/orgs/acme/actions/runner-groups": {
      total_count: 1,
      runner_groups: [
        {
          name: "camunda-release",
          restricted_to_workflows: true,
          selected_workflows: ["acme/camunda-gitops/.github/workflows/release-processes.yml@refs/heads/main"],
          allows_public_repositories: false,
        },
      ],
    },
  };
  for (const config of environments.filter((e) => e.aws)) {
    for (const [name, reviewers, selfReview] of [
      [config.name, config.github!.requiredReviewers, config.github!.preventSelfReview],
      [`${config.name}-plan`, false, false],
    ] as const) {
      routes[`/repos/acme/camunda-gitops/environments/${name}`] = {
        name,
        protection_rules: [
          ...(reviewers
            ? [{ type: "required_reviewers", prevent_self_review: selfReview, reviewers: [{ type: "Team" }] }]
            : []),
          { type: "branch_policy" },
        ],
        deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      };
      routes[`/repos/acme/camunda-gitops/environments/${name}/deployment-branch-policies`] = {
        total_count: 1,
        branch_policies: [{ name: "main", type: "branch" }],
      };
    }
  }
  return routes;
}

let server: Server;
let baseUrl: string;
let routes: Routes = {};
const seen: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    seen.push(`${req.method} ${path}`);
    const answer = routes[path];
    const failing =
      answer && typeof answer === "object" && "status" in answer
        ? (answer as { status: number }).status
        : undefined;
    res.writeHead(answer === undefined ? 404 : (failing ?? 200), { "content-type": "application/json" });
    res.end(JSON.stringify(answer === undefined || failing ? { message: "Not Found" } : answer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function request(): GitHubRequest {
  const octokit = getOctokit("fake-token", { baseUrl, request: { retries: 0 } });
  return (route, parameters) => octokit.request(route, parameters);
}

async function check(edit: (r: Routes) => void = () => {}) {
  routes = declared();
  edit(routes);
  return checkGitHubSettings({ request: request(), repository, environments });
}

describe("GitHub settings check (fake GitHub API)", () => {
  test("settings as declared: no problem, every environment and its -plan twin looked at", async () => {
    seen.length = 0;
    assert.deepEqual(await check(), { problems: [], unchecked: [] });
    for (const name of ["dev", "dev-plan", "staging", "staging-plan", "prod", "prod-plan"])
      assert.ok(seen.includes(`GET /repos/acme/camunda-gitops/environments/${name}`), name);
  });

  test("GitHub's default subject claim: the AWS roles could not be assumed", async () => {
    const report = await check((r) => {
      r["/repos/acme/camunda-gitops/actions/oidc/customization/sub"] = { use_default: true };
    });
    assert.deepEqual(report.problems, [
      `the OIDC subject claim is GitHub's default; set it to ["repo","context","job_workflow_ref"] (docs/aws.md), or no workflow can assume the AWS roles`,
    ]);
  });

  test("a missing environment, open branches, missing or unexpected reviewers, self-review", async () => {
    const report = await check((r) => {
      delete r["/repos/acme/camunda-gitops/environments/prod-plan"];
      const staging = r["/repos/acme/camunda-gitops/environments/staging"] as {
        deployment_branch_policy: unknown;
        protection_rules: { prevent_self_review?: boolean }[];
      };
      staging.deployment_branch_policy = null;
      staging.protection_rules[0]!.prevent_self_review = false;
      (
        r["/repos/acme/camunda-gitops/environments/prod"] as { protection_rules: unknown[] }
      ).protection_rules = [];
      (r["/repos/acme/camunda-gitops/environments/dev"] as { protection_rules: unknown[] }).protection_rules =
        [{ type: "required_reviewers", prevent_self_review: false }];
      r["/repos/acme/camunda-gitops/environments/dev-plan/deployment-branch-policies"] = {
        branch_policies: [
          { name: "main", type: "branch" },
          { name: "feature/*", type: "branch" },
        ],
      };
    });
    assert.deepEqual(report.problems, [
      'GitHub environment "dev" requires reviewers, but environments/ declares none (dev deploys on every merge to main)',
      'GitHub environment "dev-plan" deploys from feature/*, main; environments/ declares main',
      'GitHub environment "prod" has no required reviewers; add the people or team who approve it',
      'GitHub environment "prod-plan" does not exist; create it (Settings → Environments) before a workflow does, or it starts without protection',
      'GitHub environment "staging" accepts every branch; limit its deployment branches to main',
      'GitHub environment "staging" has "prevent self-review" off; environments/ declares it on',
    ]);
  });

  test("a release runner group open to other workflows, and a token that cannot read runner groups", async () => {
    const open = await check((r) => {
      const groups = r["/orgs/acme/actions/runner-groups"] as {
        runner_groups: { restricted_to_workflows: boolean }[];
      };
      groups.runner_groups[0]!.restricted_to_workflows = false;
    });
    assert.deepEqual(open.problems, [
      'runner group "camunda-release" is not restricted to acme/camunda-gitops/.github/workflows/release-processes.yml@refs/heads/main alone; any workflow could reach the engines\' network',
    ]);
    const forbidden = await check((r) => {
      r["/orgs/acme/actions/runner-groups"] = { status: 403 };
    });
    assert.deepEqual(forbidden.problems, []);
    assert.match(
      forbidden.unchecked[0]!,
      /^runner group "camunda-release": this token cannot read acme's runner groups/,
    );
  });

  test("without a token the script checks nothing and says what to set (exit 2)", () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/check-github-settings.ts", "--repository", repository],
      {
        cwd: repoRoot,
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      },
    );
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      /^set GITHUB_TOKEN to a token that may read the repository's administration settings/,
    );
  });

  test("the docs describe the same environments the files declare", async () => {
    const { readFileSync } = await import("node:fs");
    for (const doc of ["docs/aws.md", "docs/release.md"]) {
      const text = readFileSync(repoPath(doc), "utf8");
      for (const config of environments.filter((e) => e.github)) {
        const row = text
          .split("\n")
          .map((line) => line.trim())
          .find((line) => line.startsWith(`| \`${config.name}\` |`));
        assert.ok(row, `${doc} has a row for ${config.name}`);
        const cells = row.split("|").map((c) => c.trim());
        const reviewers = cells[2] ?? "";
        assert.equal(
          !/^none/.test(reviewers),
          config.github!.requiredReviewers,
          `${doc} ${config.name}: reviewers "${reviewers}"`,
        );
        assert.equal(
          /prevent self-review/.test(reviewers),
          config.github!.preventSelfReview,
          `${doc} ${config.name}: self-review`,
        );
        assert.match(
          cells[3] ?? "",
          new RegExp(`^\`${config.github!.deploymentBranches[0]}\` only`),
          `${doc} ${config.name}: branches`,
        );
      }
    }
  });
});

describe("GitHub settings check (real GitHub API)", () => {
  const token = process.env.GITHUB_TOKEN;
  const target = process.env.CAMUNDA_GITHUB_REPOSITORY;
  test("the repository named in CAMUNDA_GITHUB_REPOSITORY matches the declarations", {
    skip:
      !token || !target ? "set GITHUB_TOKEN and CAMUNDA_GITHUB_REPOSITORY to check a real repository" : false,
  }, async () => {
    const octokit = getOctokit(token!);
    const report = await checkGitHubSettings({
      request: (route, parameters) => octokit.request(route, parameters),
      repository: target!,
      environments,
    });
    assert.deepEqual(report.problems, []);
  });
});
