/**
 * A fake of the engine's external task REST API on loopback, for unit tests of the runtime's HTTP
 * behaviour (what it asks for, how it reports, how it reacts to errors and silence). It keeps a task
 * queue, honours long polling, and records every request. The real engine is used by the
 * integration tests; this fake only exists to make protocol details observable and deterministic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeTask {
  id: string;
  topicName: string;
  retries?: number | null;
  variables?: Record<string, { type: string; value: unknown; valueInfo?: Record<string, unknown> }>;
  businessKey?: string;
  processInstanceId?: string;
  tenantId?: string | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary JSON bodies
  body: any;
  at: number;
}

type Mode = "up" | "503" | "reset" | "hang";

export class FakeEngine {
  readonly requests: RecordedRequest[] = [];
  private readonly available: FakeTask[] = [];
  private readonly locked = new Map<string, { task: FakeTask; workerId: string }>();
  private waiting: { maxTasks: number; workerId: string; respond: (tasks: FakeTask[]) => void }[] = [];
  private server: Server | undefined;
  mode: Mode = "up";
  /** Per-operation override: return this status + body instead of the normal answer. */
  readonly failures = new Map<string, { status: number; body: unknown; times: number }>();
  /** Requests to these operations get no answer at all (to exercise the client's timeout). */
  readonly silent = new Set<string>();
  /** Tasks the query `GET /external-task?workerId=…&locked=true` reports in addition to held locks. */
  readonly extraLocked: { id: string; workerId: string }[] = [];
  url = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/engine-rest`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const w of this.waiting) w.respond([]);
    this.waiting = [];
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  add(...tasks: FakeTask[]): void {
    this.available.push(...tasks);
    this.wake();
  }

  count(operation: string): number {
    return this.requests.filter((r) => operationOf(r.method, r.path) === operation).length;
  }

  of(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => operationOf(r.method, r.path) === operation);
  }

  get pendingPolls(): number {
    return this.waiting.length;
  }

  isLocked(id: string): boolean {
    return this.locked.has(id);
  }

  /** Gives a locked task to another worker, as the engine does after the lock lapsed and another fetched it. */
  relock(id: string, workerId: string): void {
    const held = this.locked.get(id);
    if (held) this.locked.set(id, { ...held, workerId });
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) {
      const tasks = this.take(w.maxTasks, w.workerId);
      if (tasks.length > 0) w.respond(tasks);
      else this.waiting.push(w);
    }
  }

  private take(maxTasks: number, workerId: string): FakeTask[] {
    const tasks = this.available.splice(0, maxTasks);
    for (const task of tasks) this.locked.set(task.id, { task, workerId });
    return tasks;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/^\/engine-rest/, "");
    const body = text ? JSON.parse(text) : undefined;
    this.requests.push({ method: req.method ?? "", path: path + url.search, body, at: Date.now() });
    const operation = operationOf(req.method ?? "", path);

    if (this.mode === "reset") return void req.socket.destroy();
    if (this.mode === "hang" || this.silent.has(operation)) return;
    if (this.mode === "503") return send(res, 503, { type: "ServiceUnavailable", message: "down" });
    const failure = this.failures.get(operation);
    if (failure && failure.times > 0) {
      failure.times--;
      return send(res, failure.status, failure.body);
    }

    if (operation === "version") return send(res, 200, { version: "7.23.0" });
    if (operation === "fetchAndLock") {
      const tasks = this.take(body.maxTasks, body.workerId);
      if (tasks.length > 0 || !body.asyncResponseTimeout)
        return send(
          res,
          200,
          tasks.map((t) => lockedDto(t, body)),
        );
      const entry = {
        maxTasks: body.maxTasks,
        workerId: body.workerId,
        respond: (found: FakeTask[]) => {
          clearTimeout(timer);
          send(
            res,
            200,
            found.map((t) => lockedDto(t, body)),
          );
        },
      };
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        entry.respond([]);
      }, body.asyncResponseTimeout);
      // A client that goes away leaves the queue (the real engine may keep it until its timeout).
      res.on("close", () => {
        clearTimeout(timer);
        this.waiting = this.waiting.filter((w) => w !== entry);
      });
      this.waiting.push(entry);
      return;
    }
    if (operation === "query") {
      const workerId = url.searchParams.get("workerId");
      const held = [...this.locked.entries()]
        .filter(([, l]) => l.workerId === workerId)
        .map(([id]) => ({ id, workerId }));
      return send(res, 200, [...held, ...this.extraLocked.filter((t) => t.workerId === workerId)]);
    }
    const id = decodeURIComponent(path.split("/")[2] ?? "");
    const held =
      this.locked.get(id) ??
      (this.extraLocked.some((t) => t.id === id) ? { workerId: "", task: undefined } : undefined);
    if (!held)
      return send(res, 404, { type: "RestException", message: `External task with id ${id} does not exist` });
    if (operation === "unlock") {
      this.locked.delete(id);
      const index = this.extraLocked.findIndex((t) => t.id === id);
      if (index >= 0) this.extraLocked.splice(index, 1);
      if (held.task) this.add(held.task);
      return send(res, 204);
    }
    if (held.workerId !== body?.workerId) {
      // The engine's own wording (HandleExternalTaskCmd), which the runtime recognises as a lost lock.
      return send(res, 400, {
        type: "BadUserRequestException",
        message: `External Task ${id} cannot be ${operation === "extendLock" ? "extended" : "completed"} by worker '${body?.workerId}'. It is locked by worker '${held.workerId}'.`,
      });
    }
    if (operation === "extendLock") return send(res, 204);
    this.locked.delete(id);
    return send(res, 204);
  }
}

function lockedDto(task: FakeTask, body: { workerId: string }) {
  return {
    id: task.id,
    topicName: task.topicName,
    workerId: body.workerId,
    retries: task.retries ?? null,
    variables: task.variables ?? {},
    businessKey: task.businessKey ?? null,
    processInstanceId: task.processInstanceId ?? "pi",
    tenantId: task.tenantId ?? null,
  };
}

export function operationOf(method: string, path: string): string {
  const clean = path.split("?")[0] ?? "";
  if (clean === "/version") return "version";
  if (clean === "/external-task/fetchAndLock") return "fetchAndLock";
  if (method === "GET" && clean === "/external-task") return "query";
  const match = /^\/external-task\/[^/]+\/(complete|failure|bpmnError|extendLock|unlock)$/.exec(clean);
  return match?.[1] ?? `${method} ${clean}`;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
