/**
 * Turns the engine's refusal of a deployment into problems with file, line and column.
 *
 * The engine reports three shapes: HTTP 400 ParseException with per-resource errors (line and column,
 * but 0/0 for problems it finds after parsing, e.g. gateway rules); HTTP 500 ENGINE-01009 for an
 * expression it cannot parse (no resource, no position, only the expression text); HTTP 500
 * ENGINE-22004 for a DMN it cannot transform (the resource name, nothing else). Where the engine gives
 * no position, it is recovered from the file: the element id's start tag, or the expression's text.
 */
import type { CamundaError } from "#core/camunda/index.js";
import { buildSourceMap, type Position, positionAt } from "#core/lint/source-map.js";
import { UserError } from "#core/util/errors.js";
import type { Resource } from "./source.js";

export interface DeployProblem {
  file: string;
  line: number;
  column: number;
  elementId: string | null;
  message: string;
  /** "engine" when the engine gave the position, "model" when it was found in the file. */
  position: "engine" | "model" | "none";
}

/** The engine refused the deployment; nothing was deployed (the deployment is one transaction). */
export class DeploymentRefusedError extends UserError {
  readonly problems: DeployProblem[];

  constructor(message: string, problems: DeployProblem[], cause: unknown) {
    super(message, {
      exitCode: 1,
      details: problems.map(
        (p) => `${p.file}:${p.line}:${p.column}: ${p.message}${p.elementId ? ` (${p.elementId})` : ""}`,
      ),
      cause,
    });
    this.name = "DeploymentRefusedError";
    this.problems = problems;
  }
}

function positionOfId(resource: Resource, id: string | undefined): Position | null {
  if (!id) return null;
  return buildSourceMap(resource.text).ids.get(id)?.[0] ?? null;
}

const xmlEscapes: Array<[RegExp, string]> = [
  [/&/g, "&amp;"],
  [/</g, "&lt;"],
  [/>/g, "&gt;"],
  [/"/g, "&quot;"],
  [/'/g, "&apos;"],
];

/** Where `expression` is written in the file (as is, or with XML escapes), and the element around it. */
function locateExpression(resource: Resource, expression: string) {
  const variants = new Set([expression]);
  let escaped = expression;
  for (const [pattern, entity] of xmlEscapes) {
    escaped = escaped.replace(pattern, entity);
    variants.add(escaped);
  }
  // Attributes escape only & < and the quote in use; try that form too.
  variants.add(expression.replace(/&/g, "&amp;").replace(/</g, "&lt;"));
  for (const variant of variants) {
    const offset = resource.text.indexOf(variant);
    if (offset === -1) continue;
    const position = positionAt(resource.text, offset);
    return { ...position, elementId: enclosingId(resource, position) };
  }
  return null;
}

/** The id of the last element that starts before `position`: the element the expression belongs to. */
function enclosingId(resource: Resource, position: Position): string | null {
  let best: { id: string; at: Position } | null = null;
  for (const [id, positions] of buildSourceMap(resource.text).ids) {
    for (const at of positions) {
      const before = at.line < position.line || (at.line === position.line && at.column <= position.column);
      const later =
        !best || at.line > best.at.line || (at.line === best.at.line && at.column > best.at.column);
      if (before && later) best = { id, at };
    }
  }
  return best?.id ?? null;
}

/**
 * Explains a failed POST /deployment/create, or returns null when the failure is not about the
 * content (authentication, authorization, connectivity: the CamundaError says it best).
 * `candidates` are the resources the engine parsed, most likely culprits first.
 */
export function explainDeployFailure(
  error: CamundaError,
  candidates: Resource[],
): DeploymentRefusedError | null {
  const byName = new Map(candidates.map((r) => [r.name, r]));
  const fileOf = (name: string) => byName.get(name)?.file ?? name;

  const failing = error.resources.filter((r) => r.errors.length > 0);
  if (error.status === 400 && failing.length > 0) {
    const problems: DeployProblem[] = [];
    for (const report of failing) {
      const resource = byName.get(report.resource);
      for (const problem of report.errors) {
        const fromEngine = problem.line && problem.line > 0;
        const located = !fromEngine && resource ? positionOfId(resource, problem.mainElementId) : null;
        problems.push({
          file: fileOf(report.resource),
          line: fromEngine ? (problem.line ?? 1) : (located?.line ?? 1),
          column: fromEngine ? Math.max(1, problem.column ?? 1) : (located?.column ?? 1),
          elementId: problem.mainElementId ?? problem.elementIds[0] ?? null,
          message: problem.message,
          position: fromEngine ? "engine" : located ? "model" : "none",
        });
      }
    }
    const files = [...new Set(problems.map((p) => p.file))];
    return new DeploymentRefusedError(
      `the engine refused the deployment: ${files.join(", ")} ${files.length === 1 ? "does" : "do"} not parse (${problems.length} problem(s) below); nothing was deployed — fix the file(s) and release again.`,
      problems,
      error,
    );
  }

  const message = error.engineMessage ?? "";
  const dmn = /ENGINE-22004 Unable to transform DMN resource '([^']+)'/.exec(message);
  if (dmn?.[1]) {
    const problem: DeployProblem = {
      file: fileOf(dmn[1]),
      line: 1,
      column: 1,
      elementId: null,
      message: `the engine cannot transform this DMN (ENGINE-22004) and names no element; \`camunda-gitops lint ${fileOf(dmn[1])}\` shows what it rejects`,
      position: "none",
    };
    return new DeploymentRefusedError(
      `the engine refused the deployment: ${problem.file} is not a DMN it can transform; nothing was deployed — fix the file and release again.`,
      [problem],
      error,
    );
  }

  // "ENGINE-01009 Error while parsing process. Error parsing '<expression>': <reason>"
  const expression = /ENGINE-01009 [\s\S]*?Error parsing '([\s\S]*)': ([\s\S]*)$/.exec(message);
  if (expression?.[1] !== undefined) {
    const text = expression[1];
    const reason = (expression[2] ?? "").trim().replace(/\.$/, "");
    const problems: DeployProblem[] = [];
    for (const resource of candidates.filter((r) => r.kind === "bpmn")) {
      const found = locateExpression(resource, text);
      if (!found) continue;
      problems.push({
        file: resource.file,
        line: found.line,
        column: found.column,
        elementId: found.elementId,
        message: `the engine cannot parse the expression ${text}: ${reason}`,
        position: "model",
      });
    }
    const where = problems.length > 0 ? [...new Set(problems.map((p) => p.file))].join(", ") : "a process";
    return new DeploymentRefusedError(
      `the engine refused the deployment: ${where} holds an expression it cannot parse (${text}); nothing was deployed — fix the expression and release again.`,
      problems,
      error,
    );
  }

  if (error.status === 400 || (error.status === 500 && /^ENGINE-\d+/.test(message))) {
    return new DeploymentRefusedError(
      `the engine refused the deployment (${error.status}: ${message || error.type || "no message"}); nothing was deployed — fix the cause and release again.`,
      [],
      error,
    );
  }
  return null;
}
