/**
 * One error type for everything the Camunda REST API can answer with, so callers decide on
 * `status` and `type` instead of parsing messages. It extends UserError: its message is already a
 * sentence a person can act on.
 */
import { UserError } from "#core/util/errors.js";
import {
  describeForbidden,
  type GrantHint,
  type MissingAuthorization,
  parseMissingAuthorizations,
} from "./forbidden.js";

/** One problem the engine found in a deployed resource (BPMN/DMN parse error or warning). */
export interface ResourceProblem {
  message: string;
  line?: number;
  column?: number;
  mainElementId?: string;
  elementIds: string[];
}

export interface ResourceReport {
  resource: string;
  errors: ResourceProblem[];
  warnings: ResourceProblem[];
}

export interface CamundaErrorInit {
  status: number;
  method: string;
  path: string;
  type?: string;
  engineMessage?: string;
  code?: number;
  resources?: ResourceReport[];
  username?: string;
  baseUrl: string;
  /** For a 403: the permissions that would have allowed the call (parseMissingAuthorizations). */
  missingAuthorizations?: MissingAuthorization[];
  /** For a 403: where this deployment declares grants. */
  grantHint?: GrantHint;
}

export class CamundaError extends UserError {
  readonly status: number;
  readonly type: string | undefined;
  readonly engineMessage: string | undefined;
  /** Camunda's numeric error code (7.20+), when present. */
  readonly code: number | undefined;
  readonly method: string;
  readonly path: string;
  /** Per-resource errors of a deployment parse failure (HTTP 400 ParseException). */
  readonly resources: ResourceReport[];
  /** For a 403: the permissions that would have allowed the call, as alternatives. */
  readonly missingAuthorizations: MissingAuthorization[];

  constructor(init: CamundaErrorInit) {
    const details = (init.resources ?? []).flatMap((r) =>
      r.errors.map(
        (p) =>
          `${r.resource}${p.line ? `:${p.line}` : ""}${p.column ? `:${p.column}` : ""}: ${p.message}${p.mainElementId ? ` (${p.mainElementId})` : ""}`,
      ),
    );
    super(describe(init), { exitCode: 1, details });
    this.name = "CamundaError";
    this.status = init.status;
    this.type = init.type;
    this.engineMessage = init.engineMessage;
    this.code = init.code;
    this.method = init.method;
    this.path = init.path;
    this.resources = init.resources ?? [];
    this.missingAuthorizations = init.missingAuthorizations ?? [];
  }
}

/** The engine could not be reached at all (connection refused, DNS, timeout) even after retries. */
export class CamundaUnreachableError extends UserError {
  readonly baseUrl: string;
  readonly attempts: number;

  constructor(baseUrl: string, attempts: number, cause: unknown) {
    super(
      `cannot reach the Camunda engine at ${baseUrl} after ${attempts} attempt(s) (${causeText(cause)}); check that it is running and that the URL is right (CAMUNDA_URL overrides the environment file's camunda.restUrl).`,
      { exitCode: 1, cause },
    );
    this.name = "CamundaUnreachableError";
    this.baseUrl = baseUrl;
    this.attempts = attempts;
  }
}

/** Engine exceptions that mean a concurrent change won: the same request may well succeed now. */
const TRANSIENT_ENGINE_TYPES = new Set(["OptimisticLockingException", "CrdbTransactionRetryException"]);

/**
 * Whether an answer of the engine is worth trying again later: 429, 502, 503, 504, a 5xx without an
 * engine exception type (a proxy or a load balancer answered), or an optimistic-locking conflict.
 * Every other answer is final: a 4xx stays a 4xx (and a retried 401 risks a lockout), and a 500
 * carrying an engine exception (e.g. a variable it cannot store) fails again the same way.
 */
export function isTransientAnswer(status: number, type?: string): boolean {
  if ([429, 502, 503, 504].includes(status)) return true;
  if (status >= 500) return !type || TRANSIENT_ENGINE_TYPES.has(type);
  return false;
}

/**
 * The CamundaError for an answer that is not 2xx, from its body as received: the engine's JSON
 * ({type, message, code, details}), or text (a proxy's error page, whose start becomes the message).
 */
export function camundaErrorFromAnswer(answer: {
  status: number;
  method: string;
  path: string;
  baseUrl: string;
  body: unknown;
  username?: string | undefined;
  /** Where a 403's sentence tells people to grant the missing permission. */
  grantHint?: GrantHint | undefined;
}): CamundaError {
  let body = answer.body;
  if (typeof body === "string") {
    try {
      body = body ? JSON.parse(body) : undefined;
    } catch {
      // not JSON: keep the text
    }
  }
  const json = (body && typeof body === "object" ? body : {}) as {
    type?: string;
    message?: string;
    code?: number;
    details?: unknown;
  };
  return new CamundaError({
    status: answer.status,
    method: answer.method,
    path: answer.path,
    baseUrl: answer.baseUrl,
    type: json.type,
    engineMessage: json.message ?? (typeof body === "string" && body ? body.slice(0, 300) : undefined),
    code: json.code,
    resources: parseResourceReports(json.details),
    username: answer.username,
    // A 403 names the permission the user lacks and where to grant it.
    missingAuthorizations: parseMissingAuthorizations(body),
    ...(answer.grantHint ? { grantHint: answer.grantHint } : {}),
  });
}

function describe(init: CamundaErrorInit): string {
  const where = `${init.method} ${init.baseUrl}${init.path}`;
  const user = init.username ? `user "${init.username}"` : "no credentials";
  if (init.status === 401) {
    return `the Camunda engine rejected the credentials of ${user} (401 at ${where}); check CAMUNDA_USERNAME and CAMUNDA_PASSWORD.`;
  }
  if (init.status === 403) {
    return describeForbidden({
      username: init.username,
      method: init.method,
      where: `${init.baseUrl}${init.path}`,
      missing: init.missingAuthorizations ?? [],
      engineMessage: init.engineMessage,
      hint: init.grantHint,
    });
  }
  const resources = init.resources?.filter((r) => r.errors.length > 0) ?? [];
  if (init.status === 400 && resources.length > 0) {
    const names = resources.map((r) => r.resource).join(", ");
    return `the engine refused the deployment: ${names} ${resources.length === 1 ? "does" : "do"} not parse; fix the problem(s) below and release again.`;
  }
  const type = init.type ? `${init.type}: ` : "";
  const message = init.engineMessage ?? "no message";
  return `Camunda answered ${init.status} to ${where} (${type}${message}).`;
}

function causeText(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code ?? (cause.cause as { code?: string } | undefined)?.code;
    if (cause.name === "TimeoutError") return "request timed out";
    return code ? `${code}` : cause.message;
  }
  return String(cause);
}

type RawProblem = {
  message?: string | null;
  line?: number | null;
  column?: number | null;
  mainElementId?: string | null;
  elementIds?: string[] | null;
  // The 7.23 engine spells this key with a Cyrillic "е" (U+0435) in some responses; accept both.
  еlementIds?: string[] | null;
};

/** Turns the `details` map of a ParseException response into resource reports. */
export function parseResourceReports(details: unknown): ResourceReport[] {
  if (!details || typeof details !== "object") return [];
  return Object.entries(details as Record<string, { errors?: RawProblem[]; warnings?: RawProblem[] }>).map(
    ([resource, report]) => ({
      resource,
      errors: (report?.errors ?? []).map(toProblem),
      warnings: (report?.warnings ?? []).map(toProblem),
    }),
  );
}

function toProblem(p: RawProblem): ResourceProblem {
  const problem: ResourceProblem = {
    message: p.message ?? "(no message)",
    elementIds: p.elementIds ?? p.еlementIds ?? [],
  };
  if (p.line != null) problem.line = p.line;
  if (p.column != null) problem.column = p.column;
  if (p.mainElementId) problem.mainElementId = p.mainElementId;
  return problem;
}
