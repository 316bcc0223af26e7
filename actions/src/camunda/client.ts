/**
 * The typed Camunda 7.23 REST client every component uses. Types come from Camunda's own OpenAPI
 * document (openapi.d.ts, generated); requests go through one resilient fetch that adds basic auth,
 * a timeout per attempt, and retries with capped exponential backoff for connection errors and
 * 502/503/504 only (never for 4xx: a bad request stays bad, and a 401 retried is a lockout risk).
 */
import createClient, { type Client } from "openapi-fetch";
import { Backoff } from "#core/util/backoff.js";
import { sleep } from "#core/util/sleep.js";
import {
  type CamundaError,
  CamundaUnreachableError,
  camundaErrorFromAnswer,
  isTransientAnswer,
} from "./errors.js";
import type { GrantHint } from "./forbidden.js";
import type { paths } from "./openapi.js";

export interface CamundaClientOptions {
  /** e.g. http://localhost:8080/engine-rest (a trailing slash is ignored). */
  baseUrl: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Timeout of one attempt; long polls pass their own signal. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt for connection errors and 502/503/504. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per retry, capped at maxBackoffMs, with full jitter. Default 200 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Called before each retry (for progress lines and tests). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; url: string }) => void;
  fetch?: typeof fetch;
  /** Where this deployment declares grants, for the sentence of a 403. */
  grantHint?: GrantHint;
}

export interface DeploymentResource {
  /** Resource name in the engine; also the multipart filename (the engine needs one per part). */
  name: string;
  content: string | Uint8Array;
}

export interface DeployRequest {
  name: string;
  source?: string;
  tenantId?: string;
  enableDuplicateFiltering?: boolean;
  deployChangedOnly?: boolean;
  resources: DeploymentResource[];
}

export type DeploymentWithDefinitions =
  paths["/deployment/create"]["post"]["responses"]["200"]["content"]["application/json"];

export interface CamundaClient {
  readonly baseUrl: string;
  readonly username: string | undefined;
  /** The typed openapi-fetch client: `await client.api.GET("/process-definition", {params: {query: …}})`. */
  readonly api: Client<paths>;
  /** Resolves the data of an openapi-fetch call or throws CamundaError. */
  ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T>;
  /** Multipart POST /deployment/create with a filename on every part. */
  deploy(request: DeployRequest): Promise<DeploymentWithDefinitions>;
  /** GET /engine without credentials: true when the engine answers. */
  ping(): Promise<boolean>;
}

export function createCamundaClient(options: CamundaClientOptions): CamundaClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const authorization =
    options.username !== undefined
      ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ""}`).toString("base64")}`
      : undefined;
  const resilientFetch = makeResilientFetch(options, baseUrl);

  const api = createClient<paths>({
    baseUrl,
    fetch: resilientFetch,
    headers: authorization ? { authorization } : {},
  });

  const toError = async (response: Response, body: unknown): Promise<CamundaError> => {
    const url = new URL(response.url || baseUrl);
    return camundaErrorFromAnswer({
      status: response.status,
      method: (response as Response & { method?: string }).method ?? "",
      path: url.pathname.replace(new URL(baseUrl).pathname, "") + url.search,
      baseUrl,
      body,
      username: options.username,
      grantHint: options.grantHint,
    });
  };

  return {
    baseUrl,
    username: options.username,
    api,
    async ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
      const { data, error, response } = await call;
      if (!response.ok) throw await toError(response, error);
      return data as T;
    },
    async deploy(request) {
      const form = new FormData();
      form.set("deployment-name", request.name);
      if (request.source) form.set("deployment-source", request.source);
      if (request.tenantId) form.set("tenant-id", request.tenantId);
      form.set("enable-duplicate-filtering", String(request.enableDuplicateFiltering ?? false));
      form.set("deploy-changed-only", String(request.deployChangedOnly ?? false));
      for (const resource of request.resources) {
        const bytes =
          typeof resource.content === "string"
            ? new TextEncoder().encode(resource.content)
            : resource.content;
        form.append(resource.name, new Blob([bytes], { type: "application/octet-stream" }), resource.name);
      }
      const response = await resilientFetch(
        new Request(`${baseUrl}/deployment/create`, {
          method: "POST",
          body: form,
          headers: authorization ? { authorization } : {},
        }),
      );
      const body = await readBody(response);
      if (!response.ok) throw await toError(response, body);
      return body as DeploymentWithDefinitions;
    },
    async ping() {
      try {
        const response = await resilientFetch(new Request(`${baseUrl}/engine`));
        // Read nothing: cancelling the body frees the connection at once.
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    },
  };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The engine exception type of a 5xx answer (a clone is read: the caller still gets the body). */
async function engineExceptionType(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { type?: unknown };
    return typeof body?.type === "string" ? body.type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * fetch with a per-attempt timeout and bounded retries for what isTransientAnswer calls transient
 * and for connection failures. The response keeps the request method in a `method` property so
 * errors can say "POST /deployment/create".
 */
function makeResilientFetch(options: CamundaClientOptions, baseUrl: string) {
  const doFetch = options.fetch ?? fetch;
  const retries = options.retries ?? 3;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const backoffMs = options.backoffMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;

  return async function resilientFetch(input: Request): Promise<Response> {
    // Bodies are streams: keep the bytes so every attempt can send them again.
    const body = input.body ? await input.arrayBuffer() : undefined;
    let lastError: unknown;
    const backoff = new Backoff(backoffMs, maxBackoffMs);
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        const delayMs = backoff.next();
        options.onRetry?.({ attempt, delayMs, reason: describeFailure(lastError), url: input.url });
        await sleep(delayMs);
      }
      const signals = [AbortSignal.timeout(timeoutMs)];
      if (input.signal) signals.push(input.signal);
      try {
        const response = await doFetch(
          new Request(input.url, {
            method: input.method,
            headers: input.headers,
            body: body ?? null,
            signal: AbortSignal.any(signals),
          }),
        );
        const transient =
          response.status >= 429 &&
          attempt < retries &&
          isTransientAnswer(
            response.status,
            response.status >= 500 ? await engineExceptionType(response) : undefined,
          );
        if (transient) {
          lastError = new Error(`HTTP ${response.status}`);
          await response.body?.cancel();
          continue;
        }
        Object.defineProperty(response, "method", { value: input.method });
        return response;
      } catch (error) {
        // A caller's own abort (e.g. a worker shutting down) is not retried.
        if (input.signal?.aborted) throw error;
        lastError = error;
      }
    }
    throw new CamundaUnreachableError(baseUrl, retries + 1, lastError);
  };
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error.cause as { code?: string } | undefined)?.code;
    return code ?? error.message;
  }
  return String(error);
}
