/**
 * One GitHub issue per environment while it drifts: opened when drift appears, its body updated in
 * place on every later run while the drift lasts, closed with a comment once the environment is back
 * in sync. The issue is found again by a hidden marker naming the environment, and only issues
 * written by the workflow's own identity count, so an issue that copies the marker is never taken
 * over. Copies left by two runs racing each other are closed as duplicates of the oldest: never two.
 */
import type { getOctokit } from "@actions/github";

type Octokit = ReturnType<typeof getOctokit>;

export interface DriftIssueTarget {
  owner: string;
  repo: string;
  environment: string;
  /** Login of the identity that writes the issue (`github-actions[bot]` for the workflow token). */
  author: string;
  /** Label the issue carries (and the list is filtered by). */
  label: string;
}

export interface DriftIssueState {
  inSync: boolean;
  /** One sentence: what drifts, or that the environment is in sync. */
  headline: string;
  /** The report in Markdown. */
  body: string;
}

export interface DriftIssueResult {
  action: "opened" | "updated" | "unchanged" | "closed" | "none";
  number: number | null;
  url: string | null;
  /** Duplicates (same marker, same author) that were closed. */
  duplicatesClosed: number;
}

export function driftMarker(environment: string): string {
  return `<!-- camunda-gitops drift: ${environment} -->`;
}

export function driftTitle(environment: string): string {
  return `Process drift in ${environment}`;
}

export async function syncDriftIssue(
  octokit: Octokit,
  target: DriftIssueTarget,
  state: DriftIssueState,
): Promise<DriftIssueResult> {
  const { owner, repo } = target;
  const marker = driftMarker(target.environment);
  const open = await octokit.paginate(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    state: "open",
    labels: target.label,
    per_page: 100,
  });
  const ours = open
    .filter((i) => !i.pull_request && i.user?.login === target.author && (i.body ?? "").startsWith(marker))
    .sort((a, b) => a.number - b.number);
  const [first, ...duplicates] = ours;
  const close = async (issueNumber: number, comment: string, reason: "completed" | "not_planned") => {
    await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: comment });
    await octokit.rest.issues.update({
      owner,
      repo,
      issue_number: issueNumber,
      state: "closed",
      state_reason: reason,
    });
  };
  for (const duplicate of duplicates) {
    await close(duplicate.number, `Duplicate of #${first!.number}, which tracks this drift.`, "not_planned");
  }
  const result = (action: DriftIssueResult["action"], issue?: { number: number; html_url: string }) => ({
    action,
    number: issue?.number ?? null,
    url: issue?.html_url ?? null,
    duplicatesClosed: duplicates.length,
  });

  if (state.inSync) {
    if (!first) return result("none");
    await close(first.number, `${state.headline} Closing: the engine runs what git holds.`, "completed");
    return result("closed", first);
  }
  const body = `${marker}\n${state.body}`;
  if (!first) {
    const created = await octokit.rest.issues.create({
      owner,
      repo,
      title: driftTitle(target.environment),
      body,
      labels: [target.label],
    });
    return result("opened", created.data);
  }
  if (first.body === body) return result("unchanged", first);
  const updated = await octokit.rest.issues.update({ owner, repo, issue_number: first.number, body });
  return result("updated", updated.data);
}
