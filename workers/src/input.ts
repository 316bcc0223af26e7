/**
 * Validates a task's variables against its topic's input schema. A malformed or missing variable
 * becomes a non-retryable Failure whose message names the variable (never its value: variable
 * values may be personal data and end up in logs and incidents).
 */
import type { z } from "zod";
import { type Failure, failure, type TopicDefinition } from "./handler.js";

export type ParsedInput = { ok: true; value: unknown } | { ok: false; failure: Failure };

export function parseInput(
  definition: TopicDefinition,
  variables: Readonly<Record<string, unknown>>,
): ParsedInput {
  const result = definition.input.safeParse(variables);
  if (result.success) return { ok: true, value: result.data };
  const message = describeIssues(definition.topic, result.error.issues, variables);
  return { ok: false, failure: failure(message, { retryable: false }) };
}

export function describeIssues(
  topic: string,
  issues: readonly z.core.$ZodIssue[],
  variables: Readonly<Record<string, unknown>>,
): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const [name = "(root)", ...rest] = issue.path.map(String);
    const where = rest.length > 0 ? `${name}[${rest.join("][")}]` : name;
    const value = variables[name];
    if (rest.length === 0 && (value === undefined || value === null))
      return `input variable "${where}" is missing`;
    return `input variable "${where}" ${issue.message.replace(/^Invalid input(: |$)/, "is invalid$1")}`;
  });
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : "";
  return `${topic}: ${parts.join("; ")}${more}; fix the variable on the process instance and retry the incident.`;
}
