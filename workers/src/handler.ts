/**
 * The contract between a topic's business logic and the runtime that serves it. A handler is a
 * function from validated, typed input variables to one of three results; it never talks to the
 * engine itself. Side effects go through the ports in `ctx` (policy store, notifier), which are
 * idempotent, so a handler may safely run twice for the same task.
 */
import type { z } from "zod";
import type { Notifier } from "./ports/notifier.js";
import type { PolicyStore } from "./ports/policy-store.js";

/** A plain JSON-compatible value; the runtime maps it to a Camunda typed value on completion. */
export type VariableValue =
  | string
  | number
  | boolean
  | null
  | readonly VariableValue[]
  | { readonly [key: string]: VariableValue };

export type OutputVariables = Readonly<Record<string, VariableValue>>;

/** The task completes; the variables are set on the process instance. */
export interface Complete<O extends OutputVariables = OutputVariables> {
  readonly kind: "complete";
  readonly variables: O;
}

/** A business outcome the process models with an error boundary event (e.g. "not insurable"). */
export interface BpmnError {
  readonly kind: "bpmnError";
  readonly errorCode: string;
  readonly message: string;
  readonly variables?: OutputVariables;
}

/**
 * A technical problem. `retryable: false` means retrying cannot help (the input is malformed): the
 * runtime reports it with no retries left, so an incident shows at once and an operator fixes the data.
 */
export interface Failure {
  readonly kind: "failure";
  readonly message: string;
  readonly details?: string;
  readonly retryable: boolean;
}

export type HandlerResult<O extends OutputVariables = OutputVariables> = Complete<O> | BpmnError | Failure;

export interface HandlerContext {
  /** External task id: stable across retries and lock expiry of the same task. */
  readonly taskId: string;
  readonly topic: string;
  readonly processInstanceId: string;
  readonly businessKey: string | null;
  /**
   * Aborted when the handler ran out of time, the task's lock is lost or the worker is forced to
   * stop: stop work, the result is dropped. Pass it on to every call that accepts one.
   */
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly policies: PolicyStore;
  readonly notifier: Notifier;
}

export interface TopicDefinition<
  S extends z.ZodType = z.ZodType,
  O extends OutputVariables = OutputVariables,
> {
  readonly topic: string;
  readonly description: string;
  /** Input variables validated before the handler runs; their names are the variables fetched. */
  readonly input: S;
  /** Variables fetched with the task (only these travel over the wire). */
  readonly variables: readonly string[];
  /** Output variables the handler sets on completion (documentation and linting). */
  readonly outputs: readonly string[];
  /** BPMN error codes the handler may throw; the process must catch each with a boundary event. */
  readonly bpmnErrors: readonly string[];
  /** Lock duration for this topic; the runtime extends it while the handler runs. */
  readonly lockDurationMs: number;
  /**
   * How long the handler may run before the runtime gives up on it: its signal aborts, the task is
   * reported as a failure (a retry is spent) and its slot is freed. Default: the lock duration;
   * never more than WORKER_TASK_TIMEOUT_MAX_MS.
   */
  readonly timeoutMs?: number;
  readonly handler: (input: z.output<S>, ctx: HandlerContext) => Promise<HandlerResult<O>>;
}

export function complete<O extends OutputVariables>(variables: O): Complete<O> {
  return { kind: "complete", variables };
}

export function bpmnError(errorCode: string, message: string, variables?: OutputVariables): BpmnError {
  return variables
    ? { kind: "bpmnError", errorCode, message, variables }
    : { kind: "bpmnError", errorCode, message };
}

export function failure(message: string, options: { retryable?: boolean; details?: string } = {}): Failure {
  const result: Failure = { kind: "failure", message, retryable: options.retryable ?? true };
  return options.details === undefined ? result : { ...result, details: options.details };
}

/** Declares a topic with the input schema's keys as the fetched variables. */
export function defineTopic<S extends z.ZodObject, O extends OutputVariables>(
  definition: Omit<TopicDefinition<S, O>, "variables"> & { variables?: readonly string[] },
): TopicDefinition<S, O> {
  return { ...definition, variables: definition.variables ?? Object.keys(definition.input.shape) };
}
