/**
 * One comment per pull request, found again by a hidden marker and updated in place on every push:
 * never a new comment per push. Only comments written by the workflow's own identity count, so a
 * comment that copies the marker cannot be taken over (or made to carry the review under someone
 * else's name). Duplicates left by two runs racing each other are removed.
 */
import type { getOctokit } from "@actions/github";

type Octokit = ReturnType<typeof getOctokit>;

export interface StickyTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  /** First line of the body that identifies the comment. */
  marker: string;
  /** Login of the identity that writes the comment (`github-actions[bot]` for the workflow token). */
  author: string;
}

export interface StickyResult {
  action: "created" | "updated" | "unchanged";
  id: number;
  url: string;
  /** Older copies that were deleted. */
  removed: number;
}

export async function upsertStickyComment(
  octokit: Octokit,
  target: StickyTarget,
  body: string,
): Promise<StickyResult> {
  const { owner, repo, issueNumber } = target;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const ours = comments
    .filter((c) => c.user?.login === target.author && (c.body ?? "").startsWith(target.marker))
    .sort((a, b) => a.id - b.id);
  const [first, ...duplicates] = ours;
  for (const duplicate of duplicates) {
    await octokit.rest.issues.deleteComment({ owner, repo, comment_id: duplicate.id });
  }
  if (!first) {
    const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
    return { action: "created", id: created.data.id, url: created.data.html_url, removed: duplicates.length };
  }
  if (first.body === body) {
    return { action: "unchanged", id: first.id, url: first.html_url, removed: duplicates.length };
  }
  const updated = await octokit.rest.issues.updateComment({ owner, repo, comment_id: first.id, body });
  return { action: "updated", id: updated.data.id, url: updated.data.html_url, removed: duplicates.length };
}
