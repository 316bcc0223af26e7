/**
 * The one way every action runs: its inputs read and parsed once with the core's option schema (a bad
 * input is a sentence naming it), the core called, outputs and summary written by the action, and any
 * failure reported the same way — a UserError's sentence and its detail lines through the step's
 * failure, with annotations on the lines concerned when the action knows them; anything else as an
 * unexpected failure whose stack goes to the debug log.
 */
import type { z } from "zod";
import { actionInputNames, parseOptions, type RawOptions } from "#core/options/rules.js";
import { errorMessage, UserError } from "#core/util/errors.js";
import { type AnnotationProperties, githubRunner, type Runner, workspaceOf } from "./runner.js";

export interface ActionContext {
  runner: Runner;
  /** The checkout the action works on (GITHUB_WORKSPACE). */
  workspace: string;
}

export interface ActionDefinition<S extends z.ZodType> {
  /** The work, for an unexpected failure: "The process release" → "The process release failed unexpectedly: …". */
  what: string;
  /** The core's option schema for this action's inputs. */
  options: S;
  /** The inputs the schema reads, as action.yml names them. */
  inputs: readonly string[];
  run(options: z.output<S>, context: ActionContext): Promise<void>;
  /** Annotations for a failure a person can fix (e.g. the lines a release was refused for). */
  annotations?(error: unknown): { message: string; properties: AnnotationProperties }[];
}

export async function runAction<S extends z.ZodType>(
  definition: ActionDefinition<S>,
  runner: Runner = githubRunner,
): Promise<void> {
  try {
    const raw: RawOptions = Object.fromEntries(definition.inputs.map((name) => [name, runner.input(name)]));
    const options = parseOptions(definition.options, raw, actionInputNames);
    await definition.run(options, { runner, workspace: workspaceOf(runner) });
  } catch (error) {
    reportFailure(runner, error, definition);
  }
}

function reportFailure<S extends z.ZodType>(
  runner: Runner,
  error: unknown,
  definition: ActionDefinition<S>,
): void {
  for (const annotation of definition.annotations?.(error) ?? []) {
    runner.annotate("error", annotation.message, annotation.properties);
  }
  if (error instanceof UserError) {
    runner.fail([error.message, ...error.details.map((line) => `  ${line}`)].join("\n"));
    return;
  }
  if (error instanceof Error && error.stack) runner.debug(error.stack);
  runner.fail(`${definition.what} failed unexpectedly: ${errorMessage(error)}`);
}
