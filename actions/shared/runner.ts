/**
 * What an action sees of the GitHub runner: its inputs, outputs, secrets masking, log lines and
 * annotations, the job summary, saved state, and the step's failure. Production passes `githubRunner`
 * (@actions/core); a test passes a recorder and reads what the action did.
 */
import * as core from "@actions/core";

export type AnnotationProperties = core.AnnotationProperties;

export interface Runner {
  /** The step's environment (GITHUB_WORKSPACE, RUNNER_TEMP, credentials the workflow passes). */
  readonly env: NodeJS.ProcessEnv;
  /** An input's raw value, trimmed; "" when the workflow does not set it. */
  input(name: string): string;
  output(name: string, value: string | number | boolean): void;
  /** Masks a value in every later log line. */
  secret(value: string): void;
  info(line: string): void;
  debug(line: string): void;
  annotate(level: "error" | "warning" | "notice", message: string, properties?: AnnotationProperties): void;
  /** Appends Markdown or HTML to the job summary. */
  summary(markup: string): Promise<void>;
  saveState(name: string, value: string): void;
  state(name: string): string;
  /** Marks the step failed with this message (the step's exit code becomes 1). */
  fail(message: string): void;
}

export const githubRunner: Runner = {
  env: process.env,
  input: (name) => core.getInput(name),
  output: (name, value) => core.setOutput(name, value),
  secret: (value) => core.setSecret(value),
  info: (line) => core.info(line),
  debug: (line) => core.debug(line),
  annotate: (level, message, properties) => {
    if (level === "error") core.error(message, properties);
    else if (level === "warning") core.warning(message, properties);
    else core.notice(message, properties);
  },
  summary: async (markup) => {
    await core.summary.addRaw(markup, true).write();
  },
  saveState: (name, value) => core.saveState(name, value),
  state: (name) => core.getState(name),
  fail: (message) => core.setFailed(message),
};

/** The checkout the action works on. */
export function workspaceOf(runner: Runner): string {
  return runner.env.GITHUB_WORKSPACE ?? process.cwd();
}

/** An input holding paths, one per line or separated by blanks. */
export function listInput(runner: Runner, name: string): string[] {
  return runner
    .input(name)
    .split(/\s+/)
    .filter((entry) => entry !== "");
}
