/**
 * The worker's own thin HTTP layer for the external task API. The shared REST client
 * (actions/src/camunda) retries internally and gives up after a few attempts; a worker instead needs
 * to own its retry loop (endless, backed off, observable), to abort a pending long poll on shutdown,
 * to give the long poll a longer timeout than every other call, and to count every request it makes.
 * Auth is the same HTTP Basic header, and engine errors are the same CamundaError, so messages read
 * alike across the repository.
 *
 * Requests go through undici's request API on the worker's own keep-alive pool rather than fetch():
 * at hundreds of tasks per second, fetch's web streams, request cloning and per-request abort signals
 * cost several times the CPU of the request itself (workers/README.md, "Throughput"). Its sockets are
 * bounded (one per slot plus a few for the long poll, lock extensions and unlocks) and reused.
 */
import { Agent, type Dispatcher, request } from "undici";
import { CamundaError, camundaErrorFromAnswer, isTransientAnswer } from "#core/camunda/errors.js";
import type { components } from "#core/camunda/openapi.js";

export type FetchAndLockRequest = components["schemas"]["FetchExternalTasksDto"];
export type LockedTask = components["schemas"]["LockedExternalTaskDto"];
export type CompleteRequest = components["schemas"]["CompleteExternalTaskDto"];
export type FailureRequest = components["schemas"]["ExternalTaskFailureDto"];
export type BpmnErrorRequest = components["schemas"]["ExternalTaskBpmnError"];
export type ExternalTask = components["schemas"]["ExternalTaskDto"];

export type Operation =
  | "fetchAndLock"
  | "complete"
  | "failure"
  | "bpmnError"
  | "extendLock"
  | "unlock"
  | "query"
  | "ping";

export type RequestOutcome = "ok" | "client_error" | "server_error" | "network_error" | "timeout" | "aborted";

export interface EngineClientOptions {
  baseUrl: string;
  username: string;
  password: string;
  /** Timeout of every request; a long poll adds its own wait to it. */
  timeoutMs: number;
  /** Called after every request with its outcome (metrics, request counting in tests and benchmarks). */
  onRequest?: (operation: Operation, outcome: RequestOutcome, seconds: number) => void;
  /** Sockets kept open to the engine at most (requests beyond wait for one); default 64. */
  connections?: number;
}

/** undici's codes for "no answer in time". */
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** The engine could not be reached, or did not answer in time. Always worth retrying later. */
export class EngineUnavailableError extends Error {
  constructor(
    message: string,
    readonly reason: "network_error" | "timeout",
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "EngineUnavailableError";
  }
}

/** Worth trying again later: no answer at all, or an answer isTransientAnswer calls transient. */
export function isTransient(error: unknown): boolean {
  if (error instanceof EngineUnavailableError) return true;
  return error instanceof CamundaError && isTransientAnswer(error.status, error.type);
}

/** 404: the task no longer exists (completed elsewhere after lock expiry, or its instance ended). */
export function isGone(error: unknown): boolean {
  return error instanceof CamundaError && error.status === 404;
}

/**
 * The task is no longer ours: gone (404), or locked by another worker since our lock lapsed (the
 * engine's 400 "External Task … cannot be completed by worker 'A'. It is locked by worker 'B'.").
 */
export function isLockLost(error: unknown): boolean {
  if (isGone(error)) return true;
  return error instanceof CamundaError && error.status === 400 && /is locked by worker/i.test(error.message);
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

export class EngineClient {
  private readonly authorization: string;
  private readonly dispatcher: Dispatcher;
  readonly baseUrl: string;

  constructor(private readonly options: EngineClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
    this.dispatcher = new Agent({ connections: options.connections ?? 64, keepAliveTimeout: 10_000 });
  }

  /** Closes the pool's idle sockets (the worker has stopped); requests still running finish first. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Long poll: waits up to body.asyncResponseTimeout for tasks; `signal` aborts it at once. */
  async fetchAndLock(body: FetchAndLockRequest, signal?: AbortSignal): Promise<LockedTask[]> {
    const wait = body.asyncResponseTimeout ?? 0;
    return (await this.call(
      "fetchAndLock",
      "POST",
      "/external-task/fetchAndLock",
      body,
      signal,
      wait,
    )) as LockedTask[];
  }

  async complete(taskId: string, body: CompleteRequest): Promise<void> {
    await this.call("complete", "POST", `/external-task/${encodeURIComponent(taskId)}/complete`, body);
  }

  async failure(taskId: string, body: FailureRequest): Promise<void> {
    await this.call("failure", "POST", `/external-task/${encodeURIComponent(taskId)}/failure`, body);
  }

  async bpmnError(taskId: string, body: BpmnErrorRequest): Promise<void> {
    await this.call("bpmnError", "POST", `/external-task/${encodeURIComponent(taskId)}/bpmnError`, body);
  }

  async extendLock(taskId: string, workerId: string, newDuration: number): Promise<void> {
    await this.call("extendLock", "POST", `/external-task/${encodeURIComponent(taskId)}/extendLock`, {
      workerId,
      newDuration,
    });
  }

  async unlock(taskId: string): Promise<void> {
    await this.call("unlock", "POST", `/external-task/${encodeURIComponent(taskId)}/unlock`, undefined);
  }

  /** Tasks currently locked by this worker id (to release locks a cut-off long poll may have taken). */
  async lockedBy(workerId: string): Promise<ExternalTask[]> {
    const query = new URLSearchParams({ workerId, locked: "true", maxResults: "1000" });
    return (await this.call("query", "GET", `/external-task?${query}`, undefined)) as ExternalTask[];
  }

  /** GET /version: cheap, and needs valid credentials (checks them at start). */
  async version(): Promise<string> {
    const body = (await this.call("query", "GET", "/version", undefined)) as { version?: string } | undefined;
    return body?.version ?? "unknown";
  }

  /** GET /engine: answers without credentials when the engine is up. */
  async ping(): Promise<boolean> {
    try {
      await this.call("ping", "GET", "/engine", undefined);
      return true;
    } catch {
      return false;
    }
  }

  private async call(
    operation: Operation,
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal?: AbortSignal,
    extraTimeoutMs = 0,
  ): Promise<unknown> {
    const started = performance.now();
    // undici's own header and body timeouts bound the request: no timer or abort controller of ours
    // per request (they showed in profiles), and its timeout errors tell it apart from the caller's abort.
    const limitMs = this.options.timeoutMs + extraTimeoutMs;
    const headers: Record<string, string> = { authorization: this.authorization, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let outcome: RequestOutcome = "ok";
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal,
        dispatcher: this.dispatcher,
        headersTimeout: limitMs,
        bodyTimeout: limitMs,
      });
      const text = await response.body.text();
      if (response.statusCode >= 300) {
        outcome = response.statusCode >= 500 ? "server_error" : "client_error";
        throw camundaErrorFromAnswer({
          status: response.statusCode,
          method,
          path,
          baseUrl: this.baseUrl,
          body: text,
          username: this.options.username,
        });
      }
      return text ? JSON.parse(text) : undefined;
    } catch (error) {
      if (error instanceof CamundaError) throw error;
      const code =
        (error as { code?: string }).code ?? ((error as Error).cause as { code?: string } | undefined)?.code;
      if (code !== undefined && TIMEOUT_CODES.has(code)) {
        outcome = "timeout";
        throw new EngineUnavailableError(
          `${method} ${this.baseUrl}${path} got no answer within ${limitMs} ms`,
          "timeout",
          { cause: error },
        );
      }
      if (signal?.aborted) {
        outcome = "aborted";
        throw error;
      }
      outcome = "network_error";
      throw new EngineUnavailableError(
        `cannot reach the Camunda engine at ${this.baseUrl} (${code ?? (error as Error).message})`,
        "network_error",
        { cause: error },
      );
    } finally {
      this.options.onRequest?.(operation, outcome, (performance.now() - started) / 1000);
    }
  }
}
