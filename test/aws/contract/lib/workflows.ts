/**
 * The GitHub workflows as the AWS contract sees them: every job that assumes a role through
 * aws-actions/configure-aws-credentials, which role that is for a given environment, how long the
 * session lasts, how long the job may run, and the OIDC token the job presents.
 *
 * The role ARN is followed the way the job computes it: the infrastructure CLI's outputs
 * (`steps.<id>.outputs.<name>` of a step that runs actions/src/infrastructure/cli.ts) or a
 * `name=$(yq -r '.path' …)` line of the step's script, read from the environment file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import type { EnvironmentConfig } from "#core/environments/schema.js";
import { run as infrastructureCli } from "#core/infrastructure/cli.js";
import { repoPath, repoRoot } from "../../../support/repo.js";

export interface WorkflowStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

export interface WorkflowJob {
  id: string;
  name?: string;
  "runs-on"?: unknown;
  "timeout-minutes"?: number;
  environment?: string | { name: string };
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  steps?: WorkflowStep[];
}

export interface Workflow {
  file: string;
  text: string;
  on: Record<string, unknown>;
  jobs: WorkflowJob[];
}

export const configureCredentials = "aws-actions/configure-aws-credentials@";
/** GitHub runs a job for at most this long when it sets no timeout-minutes. */
export const defaultJobTimeoutMinutes = 360;
/** configure-aws-credentials asks STS for this session length when role-duration-seconds is unset. */
export const defaultSessionSeconds = 3600;

export function parseWorkflow(file: string, text: string): Workflow {
  const parsed = parse(text) as {
    on?: Record<string, unknown>;
    jobs?: Record<string, Omit<WorkflowJob, "id">>;
  };
  return {
    file,
    text,
    on: parsed.on ?? {},
    jobs: Object.entries(parsed.jobs ?? {}).map(([id, job]) => ({ id, ...job })),
  };
}

export function loadWorkflows(dir = repoPath(".github", "workflows")): Workflow[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => parseWorkflow(file, readFileSync(`${dir}/${file}`, "utf8")));
}

/** The workflows with one file's text edited (tests that prove a check can fail). */
export function withEditedWorkflow(file: string, edit: (text: string) => string): Workflow[] {
  return loadWorkflows().map((w) => {
    if (w.file !== file) return w;
    const text = edit(w.text);
    if (text === w.text) throw new Error(`the edit of ${file} changed nothing`);
    return parseWorkflow(file, text);
  });
}

export interface AssumedSession {
  workflow: string;
  job: string;
  step: string;
  roleExpression: string;
  roleArn: string;
  durationSeconds: number;
  jobTimeoutMinutes: number;
  /** The GitHub environment the job runs in, for this environment (undefined: none). */
  githubEnvironment?: string;
  /** How the job is triggered: pull requests, or pushes/dispatches on a branch. */
  trigger: "pull_request" | "branch";
}

function stepOutput(job: WorkflowJob, expression: string, config: EnvironmentConfig): string {
  const match = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/.exec(expression);
  if (!match) {
    if (/^arn:aws:iam::\d{12}:role\//.test(expression)) return expression;
    throw new Error(`role-to-assume "${expression}" is neither a step output nor a role ARN`);
  }
  const [, stepId, output] = match as unknown as [string, string, string];
  const step = job.steps?.find((s) => s.id === stepId);
  if (!step?.run) throw new Error(`job ${job.id}: no run step with id ${stepId}`);
  if (step.run.includes("actions/src/infrastructure/cli.ts")) {
    const lines = infrastructureCli([config.name, "--format", "github-output"], {}, repoRoot)
      .trim()
      .split("\n");
    const line = lines.find((l) => l.startsWith(`${output}=`));
    if (!line) throw new Error(`the infrastructure CLI prints no ${output}`);
    return line.slice(output.length + 1);
  }
  const variable = /^\s*(\w+)=\$\(yq -r '([.\w]+)'/gm;
  for (const [, name, path] of step.run.matchAll(variable)) {
    if (!new RegExp(`echo "${output}=\\$${name}"`).test(step.run)) continue;
    let value: unknown = config;
    for (const key of String(path).split(".").filter(Boolean))
      value = (value as Record<string, unknown>)?.[key];
    if (typeof value !== "string") throw new Error(`${path} is not set in environments/${config.name}.yaml`);
    return value;
  }
  throw new Error(`job ${job.id}: cannot tell where step ${stepId} takes output ${output} from`);
}

function environmentOf(job: WorkflowJob, config: EnvironmentConfig): string | undefined {
  const raw = typeof job.environment === "object" ? job.environment?.name : job.environment;
  if (raw === undefined) return undefined;
  // The workflows name the environment through their input; evaluate that one expression shape.
  return raw.replace(
    /\$\{\{\s*(inputs\.environment(\s*\|\|\s*'[^']*')?|matrix\.environment)\s*\}\}/,
    config.name,
  );
}

/** Every role assumption of every workflow, for one environment. */
export function assumedSessions(config: EnvironmentConfig, workflows = loadWorkflows()): AssumedSession[] {
  const sessions: AssumedSession[] = [];
  for (const workflow of workflows) {
    const trigger =
      "pull_request" in workflow.on || "pull_request_target" in workflow.on ? "pull_request" : "branch";
    for (const job of workflow.jobs) {
      for (const [index, step] of (job.steps ?? []).entries()) {
        if (!step.uses?.startsWith(configureCredentials)) continue;
        const expression = String(step.with?.["role-to-assume"] ?? "");
        sessions.push({
          workflow: workflow.file,
          job: job.id,
          step: step.name ?? `#${index + 1}`,
          roleExpression: expression,
          roleArn: stepOutput(job, expression, config),
          durationSeconds: Number(step.with?.["role-duration-seconds"] ?? defaultSessionSeconds),
          jobTimeoutMinutes: Number(job["timeout-minutes"] ?? defaultJobTimeoutMinutes),
          githubEnvironment: environmentOf(job, config),
          trigger,
        });
      }
    }
  }
  return sessions;
}

/** The OIDC claims GitHub puts into the job's token (subject customised to include job_workflow_ref). */
export function tokenClaims(
  session: Pick<AssumedSession, "workflow" | "githubEnvironment" | "trigger">,
  repository: string,
  ref = session.trigger === "pull_request" ? "refs/pull/17/merge" : "refs/heads/main",
): Record<string, string> {
  const context = session.githubEnvironment
    ? `environment:${session.githubEnvironment}`
    : session.trigger === "pull_request"
      ? "pull_request"
      : `ref:${ref}`;
  const jobWorkflowRef = `${repository}/.github/workflows/${session.workflow}@${ref}`;
  return {
    aud: "sts.amazonaws.com",
    sub: `repo:${repository}:${context}:job_workflow_ref:${jobWorkflowRef}`,
    job_workflow_ref: jobWorkflowRef,
    ref,
    repository,
  };
}
