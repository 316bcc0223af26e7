/**
 * /healthz (the process is alive and its loop has not crashed), /readyz (running and the engine
 * answered the last request) and /metrics (Prometheus text format) on one small HTTP server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HealthSource {
  readonly state: string;
  readonly ready: boolean;
  /** One sentence saying why the worker is not ready (shown by /readyz). */
  readonly notReadyReason?: string | undefined;
  readonly inFlight: number;
  /** Abandoned handlers still running. */
  readonly stuck?: number;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: {
  host: string;
  port: number;
  worker: HealthSource;
  registry: Registry;
}): Promise<HealthServer> {
  const { worker, registry } = options;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const send = (status: number, body: string, type = "application/json") => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    };
    if (request.method !== "GET" && request.method !== "HEAD")
      return send(405, '{"error":"method not allowed"}');
    if (path === "/healthz") {
      const alive = worker.state === "running" || worker.state === "stopping" || worker.state === "new";
      return send(alive ? 200 : 503, JSON.stringify({ status: alive ? "ok" : "down", state: worker.state }));
    }
    if (path === "/readyz") {
      const body = JSON.stringify({
        status: worker.ready ? "ready" : "not ready",
        ...(worker.ready || !worker.notReadyReason ? {} : { reason: worker.notReadyReason }),
        state: worker.state,
        inFlight: worker.inFlight,
        stuck: worker.stuck ?? 0,
      });
      return send(worker.ready ? 200 : 503, body);
    }
    if (path === "/metrics") {
      registry.metrics().then(
        (text) => send(200, text, registry.contentType),
        () => send(500, '{"error":"metrics unavailable"}'),
      );
      return;
    }
    send(404, '{"error":"not found; try /healthz, /readyz or /metrics"}');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
