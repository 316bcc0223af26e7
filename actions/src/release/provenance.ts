/**
 * Where a deployment came from. Every release deployment carries a `release.json` resource with the
 * repository, the commit, the ref and the run that released it; the deployment's name and source stay
 * the environment's stable ones (the engine's duplicate filter compares on both, see release.ts).
 *
 * Reading it back tells this repository's releases from everything else that reaches an engine: a
 * hot-fix deployed from Camunda Modeler (source "Camunda Modeler"), a deployment through the REST API
 * by hand (no release record), or a release of another repository sharing the engine.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { originUrl } from "#core/git/repository.js";

export const RELEASE_INFO_RESOURCE = "release.json";

/** The CI run that released, as its adapter knows it (the GitHub Action, or the CLI inside a workflow). */
export interface ReleaseRun {
  /** e.g. "4242" (GitHub's run id). */
  id: string;
  attempt: number | null;
  /** A link a person can open. */
  url: string | null;
  workflow: string | null;
  /** Who started the run. */
  actor: string | null;
}

/** What the releasing side knows about itself beyond the commit. */
export interface ReleaseProvenance {
  /** "owner/name" of the repository, or null when it cannot be told (no remote, no CI). */
  repository: string | null;
  run: ReleaseRun | null;
}

/** The content of release.json, as written by this version and read back from any earlier one. */
export interface ReleaseRecord {
  commit: string | null;
  ref: string | null;
  dirty: boolean;
  environment: string | null;
  repository: string | null;
  run: ReleaseRun | null;
  resources: Record<string, string>;
}

export interface DeploymentOrigin {
  deploymentId: string;
  name: string | null;
  source: string | null;
  time: string | null;
  /** The deployment's release.json, or null when it has none (or an unreadable one). */
  record: ReleaseRecord | null;
  /** True when this environment's releases made it (see `judgeOrigin`). */
  ours: boolean;
  /** Why it is not ours, as a clause: `deployed with source "Camunda Modeler"`. Null when ours. */
  foreignReason: string | null;
}

/** "git@github.com:org/repo.git", "https://github.com/org/repo" → "org/repo"; null when not recognisable. */
export function repositoryName(remoteUrl: string | null | undefined): string | null {
  if (!remoteUrl) return null;
  const match = /[/:]([^/:]+)\/([^/]+?)(\.git)?\/?$/.exec(remoteUrl.trim());
  return match ? `${match[1]}/${match[2]}` : null;
}

/** Who an environment's releases are: the stable name and source, and the repository when known. */
export interface ReleaseIdentity {
  environment: string;
  deploymentName: string;
  deploymentSource: string;
  /** "owner/name"; when null, a record from any repository counts (the checkout has no remote). */
  repository: string | null;
}

function describeOrigin(name: string | null, source: string | null): string {
  return `deployment "${name ?? ""}" with source "${source ?? "none"}"`;
}

/**
 * Ours when the name and source are the environment's and the deployment holds a release record of
 * this repository. Name and source alone prove nothing: anyone with deploy rights can type them.
 */
export function judgeOrigin(
  deployment: { id: string; name: string | null; source: string | null; time: string | null },
  record: ReleaseRecord | null,
  identity: ReleaseIdentity,
): DeploymentOrigin {
  const base = {
    deploymentId: deployment.id,
    name: deployment.name,
    source: deployment.source,
    time: deployment.time,
    record,
  };
  const what = describeOrigin(deployment.name, deployment.source);
  let reason: string | null = null;
  if (deployment.name !== identity.deploymentName || deployment.source !== identity.deploymentSource) {
    reason = `${what}, not a release (releases use "${identity.deploymentName}" with source "${identity.deploymentSource}")`;
  } else if (!record) {
    reason = `${what} without a ${RELEASE_INFO_RESOURCE} record: the release name typed by hand, not a release`;
  } else if (record.repository && identity.repository && record.repository !== identity.repository) {
    reason = `${what}, released from another repository (${record.repository})`;
  }
  return { ...base, ours: reason === null, foreignReason: reason };
}

function parseRecord(text: string): ReleaseRecord | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== "object") return null;
  const j = json as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const run = j.run && typeof j.run === "object" ? (j.run as Record<string, unknown>) : null;
  return {
    commit: str(j.commit),
    ref: str(j.ref),
    dirty: j.dirty === true,
    environment: str(j.environment),
    repository: str(j.repository),
    run:
      run && typeof run.id === "string"
        ? {
            id: run.id,
            attempt: typeof run.attempt === "number" ? run.attempt : null,
            url: str(run.url),
            workflow: str(run.workflow),
            actor: str(run.actor),
          }
        : null,
    resources: j.resources && typeof j.resources === "object" ? (j.resources as Record<string, string>) : {},
  };
}

/** Reads deployments once each: name, source, time and release record. Read-only (GET). */
export class OriginReader {
  private readonly cache = new Map<string, Promise<DeploymentOrigin>>();

  constructor(
    private readonly client: CamundaClient,
    private readonly identity: ReleaseIdentity,
  ) {}

  origin(deploymentId: string): Promise<DeploymentOrigin> {
    let found = this.cache.get(deploymentId);
    if (!found) {
      found = this.read(deploymentId);
      this.cache.set(deploymentId, found);
    }
    return found;
  }

  private async read(id: string): Promise<DeploymentOrigin> {
    const { client } = this;
    const deployment = await client.ok(client.api.GET("/deployment/{id}", { params: { path: { id } } }));
    const resources = await client.ok(
      client.api.GET("/deployment/{id}/resources", { params: { path: { id } } }),
    );
    const info = resources.find((r) => r.name === RELEASE_INFO_RESOURCE);
    let record: ReleaseRecord | null = null;
    if (info?.id) {
      const text = await client.ok(
        client.api.GET("/deployment/{id}/resources/{resourceId}/data", {
          params: { path: { id, resourceId: info.id } },
          parseAs: "text",
        }),
      );
      record = parseRecord(String(text));
    }
    return judgeOrigin(
      {
        id,
        name: deployment.name ?? null,
        source: deployment.source ?? null,
        time: deployment.deploymentTime ?? null,
      },
      record,
      this.identity,
    );
  }
}

/** One line for people: `commit 1a2b3c4d5e6f (main) by run 4242 of org/repo`. */
export function describeRecord(record: ReleaseRecord): string {
  const parts = [`commit ${record.commit ? record.commit.slice(0, 12) : "unknown"}`];
  if (record.ref) parts[0] += ` (${record.ref})`;
  if (record.run) parts.push(`run ${record.run.url ?? record.run.id}`);
  if (record.repository) parts.push(`of ${record.repository}`);
  return parts.join(", ");
}

/**
 * The provenance a release can tell from where it runs: inside a CI run, the run's standard variables
 * (GITHUB_REPOSITORY, GITHUB_RUN_ID, …, as GitHub Actions and nektos/act set them); anywhere, the
 * checkout's `origin` remote for the repository. Nothing here writes or calls out.
 */
export async function provenanceFromEnvironment(
  env: NodeJS.ProcessEnv,
  repoRoot: string,
): Promise<ReleaseProvenance> {
  const repository = env.GITHUB_REPOSITORY || repositoryName(await originUrl(repoRoot));
  const id = env.GITHUB_RUN_ID;
  if (!id) return { repository, run: null };
  const attempt = Number(env.GITHUB_RUN_ATTEMPT);
  const server = (env.GITHUB_SERVER_URL || "").replace(/\/+$/, "");
  return {
    repository,
    run: {
      id,
      attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : null,
      url:
        server && env.GITHUB_REPOSITORY
          ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${id}${attempt > 1 ? `/attempts/${attempt}` : ""}`
          : null,
      workflow: env.GITHUB_WORKFLOW || null,
      actor: env.GITHUB_ACTOR || null,
    },
  };
}
