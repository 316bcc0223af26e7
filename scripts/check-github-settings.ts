/**
 * Checks, through the GitHub API, the repository settings the AWS trust policies rely on and that no
 * file in the repository can enforce:
 *
 * - the OIDC subject claim includes job_workflow_ref (bootstrap.yaml's trust policies compare it);
 * - each AWS environment's GitHub environment `<name>` exists with the deployment branches and
 *   required reviewers its `github:` block in environments/<name>.yaml declares, and `<name>-plan`
 *   (the release plan's read-only credentials) with the same branches and no reviewers;
 * - when the repository variable CAMUNDA_RELEASE_RUNNER_GROUP is set, that runner group is
 *   restricted to the release workflow on main (an organisation setting; needs a token that may read
 *   the organisation's runner groups, otherwise reported as not checked).
 *
 *   GITHUB_TOKEN=… npx tsx scripts/check-github-settings.ts --repository owner/name [--environment dev]
 *
 * Exit 0: everything as declared; 1: one line per difference; 2: usage (no token, bad arguments).
 * GITHUB_API_URL points it at GitHub Enterprise Server. The token is never printed.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { getOctokit } from "@actions/github";
import { environmentsDir, listEnvironments, loadEnvironment } from "#core/environments/load.js";
import type { EnvironmentConfig, GitHubEnvironmentConfig } from "#core/environments/schema.js";
import { errorMessage } from "#core/util/errors.js";

/** The subject claim the trust policies in cloudformation/bootstrap.yaml are written for. */
export const expectedSubjectClaims = ["repo", "context", "job_workflow_ref"];
export const releaseWorkflow = ".github/workflows/release-processes.yml";

/** The few GitHub REST calls the check needs; Octokit in production, a fake in tests. */
export type GitHubRequest = (
  route: string,
  parameters: Record<string, string | number>,
) => Promise<{ data: unknown }>;

export interface SettingsReport {
  /** Differences between GitHub and the repository's declarations: each fails the check. */
  problems: string[];
  /** What could not be checked with this token, and why. */
  unchecked: string[];
}

interface EnvironmentResponse {
  protection_rules?: { type: string; prevent_self_review?: boolean; reviewers?: unknown[] }[];
  deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
}

function status(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

async function checkEnvironment(
  request: GitHubRequest,
  repo: { owner: string; repo: string },
  name: string,
  expected: GitHubEnvironmentConfig,
): Promise<string[]> {
  const problems: string[] = [];
  let environment: EnvironmentResponse;
  try {
    environment = (
      await request("GET /repos/{owner}/{repo}/environments/{environment_name}", {
        ...repo,
        environment_name: name,
      })
    ).data as EnvironmentResponse;
  } catch (error) {
    if (status(error) === 404) {
      return [
        `GitHub environment "${name}" does not exist; create it (Settings → Environments) before a workflow does, or it starts without protection`,
      ];
    }
    throw error;
  }
  const branchPolicy = environment.deployment_branch_policy;
  if (!branchPolicy?.custom_branch_policies) {
    problems.push(
      `GitHub environment "${name}" accepts ${branchPolicy?.protected_branches ? "every protected branch" : "every branch"}; limit its deployment branches to ${expected.deploymentBranches.join(", ")}`,
    );
  } else {
    const policies = (
      await request("GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies", {
        ...repo,
        environment_name: name,
        per_page: 100,
      })
    ).data as { branch_policies?: { name: string; type?: string }[] };
    const actual = (policies.branch_policies ?? [])
      .map((p) => (p.type === "tag" ? `tag:${p.name}` : p.name))
      .sort();
    const wanted = [...expected.deploymentBranches].sort();
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
      problems.push(
        `GitHub environment "${name}" deploys from ${actual.join(", ") || "no branch"}; environments/ declares ${wanted.join(", ")}`,
      );
    }
  }
  const reviewers = environment.protection_rules?.find((r) => r.type === "required_reviewers");
  if (expected.requiredReviewers && !reviewers) {
    problems.push(
      `GitHub environment "${name}" has no required reviewers; add the people or team who approve it`,
    );
  }
  if (!expected.requiredReviewers && reviewers) {
    problems.push(
      `GitHub environment "${name}" requires reviewers, but environments/ declares none (dev deploys on every merge to main)`,
    );
  }
  if (reviewers && Boolean(reviewers.prevent_self_review) !== expected.preventSelfReview) {
    problems.push(
      `GitHub environment "${name}" has "prevent self-review" ${reviewers.prevent_self_review ? "on" : "off"}; environments/ declares it ${expected.preventSelfReview ? "on" : "off"}`,
    );
  }
  return problems;
}

export async function checkGitHubSettings(options: {
  request: GitHubRequest;
  repository: string;
  environments: EnvironmentConfig[];
}): Promise<SettingsReport> {
  const { request, environments } = options;
  const [owner = "", repoName = ""] = options.repository.split("/");
  const repo = { owner, repo: repoName };
  const problems: string[] = [];
  const unchecked: string[] = [];

  const subject = (await request("GET /repos/{owner}/{repo}/actions/oidc/customization/sub", repo)).data as {
    use_default?: boolean;
    include_claim_keys?: string[];
  };
  if (
    subject.use_default !== false ||
    JSON.stringify(subject.include_claim_keys) !== JSON.stringify(expectedSubjectClaims)
  ) {
    problems.push(
      `the OIDC subject claim is ${subject.use_default !== false ? "GitHub's default" : JSON.stringify(subject.include_claim_keys)}; set it to ${JSON.stringify(expectedSubjectClaims)} (docs/aws.md), or no workflow can assume the AWS roles`,
    );
  }

  for (const config of environments) {
    if (!config.aws) continue;
    if (!config.github) {
      problems.push(
        `environments/${config.name}.yaml has no github block, so its GitHub environment cannot be checked`,
      );
      continue;
    }
    problems.push(...(await checkEnvironment(request, repo, config.name, config.github)));
    problems.push(
      ...(await checkEnvironment(request, repo, `${config.name}-plan`, {
        requiredReviewers: false,
        preventSelfReview: false,
        deploymentBranches: config.github.deploymentBranches,
      })),
    );
  }

  let group: string | undefined;
  try {
    group = (
      (
        await request("GET /repos/{owner}/{repo}/actions/variables/{name}", {
          ...repo,
          name: "CAMUNDA_RELEASE_RUNNER_GROUP",
        })
      ).data as { value?: string }
    ).value;
  } catch (error) {
    if (status(error) !== 404) throw error;
  }
  if (group) {
    try {
      const groups = (await request("GET /orgs/{org}/actions/runner-groups", { org: owner, per_page: 100 }))
        .data as {
        runner_groups?: {
          name: string;
          restricted_to_workflows?: boolean;
          selected_workflows?: string[];
          allows_public_repositories?: boolean;
        }[];
      };
      const found = groups.runner_groups?.find((g) => g.name === group);
      const workflow = `${options.repository}/${releaseWorkflow}@refs/heads/main`;
      if (!found)
        problems.push(`runner group "${group}" (CAMUNDA_RELEASE_RUNNER_GROUP) does not exist in ${owner}`);
      else if (
        !found.restricted_to_workflows ||
        JSON.stringify(found.selected_workflows) !== JSON.stringify([workflow])
      ) {
        problems.push(
          `runner group "${group}" is not restricted to ${workflow} alone; any workflow could reach the engines' network`,
        );
      } else if (found.allows_public_repositories) {
        problems.push(`runner group "${group}" accepts public repositories`);
      }
    } catch (error) {
      if (![401, 403, 404].includes(status(error) ?? 0)) throw error;
      unchecked.push(
        `runner group "${group}": this token cannot read ${owner}'s runner groups (needs organisation administration: read); check its workflow restriction by hand`,
      );
    }
  }
  return { problems, unchecked };
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: { repository?: string; environment?: string };
  try {
    values = parseArgs({
      args: argv,
      options: { repository: { type: "string" }, environment: { type: "string" } },
    }).values;
  } catch (error) {
    console.error(
      `${errorMessage(error)}; usage: check-github-settings.ts --repository owner/name [--environment name]`,
    );
    return 2;
  }
  const repository = values.repository ?? env.GITHUB_REPOSITORY;
  const token = env.GITHUB_TOKEN ?? env.GH_TOKEN;
  if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    console.error("give the repository as --repository owner/name (or set GITHUB_REPOSITORY).");
    return 2;
  }
  if (!token) {
    console.error(
      "set GITHUB_TOKEN to a token that may read the repository's administration settings (environments, OIDC, variables); nothing was checked.",
    );
    return 2;
  }
  const dir = environmentsDir(process.cwd());
  const environments = listEnvironments(dir)
    .filter((name) => !values.environment || name === values.environment)
    .map((name) => loadEnvironment(name, { dir }).config);
  const octokit = getOctokit(token, env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {});
  const request: GitHubRequest = (route, parameters) => octokit.request(route, parameters);
  try {
    const report = await checkGitHubSettings({ request, repository, environments });
    for (const line of report.unchecked) console.log(`not checked: ${line}`);
    for (const line of report.problems) console.log(`✗ ${line}`);
    if (report.problems.length === 0)
      console.log(`GitHub settings of ${repository} match environments/ and the trust policies.`);
    return report.problems.length === 0 ? 0 : 1;
  } catch (error) {
    const code = status(error);
    console.error(
      code === 401 || code === 403
        ? `GitHub refused the token (${code}); it needs read access to ${repository}'s administration settings.`
        : `the GitHub API call failed: ${errorMessage(error)}`,
    );
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
