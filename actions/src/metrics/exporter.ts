/**
 * The business metrics exporter: polls the engine on an interval (one poll at a time, never
 * overlapping) and serves the last poll's figures at /metrics in Prometheus text format. A scrape
 * never touches the engine, so scraping more often, or from several scrapers, costs the engine
 * nothing: its load is one poll per interval, whatever the scrapers do.
 *
 *   GET /metrics   Prometheus text (the business gauges, the engine meters, the exporter's own health)
 *   GET /healthz   200 while the poll loop runs (even when the engine is down: that is a metric, not a crash)
 *   GET /readyz    200 once the last poll succeeded, 503 with the reason otherwise
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createCamundaClient } from "#core/camunda/index.js";
import { errorMessage } from "#core/util/errors.js";
import { EngineCollector } from "./collect.js";
import { createExporterMetrics, type ExporterMetrics } from "./prometheus.js";
import { countingFetch, type RequestCounter } from "./requests.js";
import type { EngineSnapshot } from "./snapshot.js";

export interface ExporterOptions {
  /** …/engine-rest */
  baseUrl: string;
  username: string;
  password: string;
  /** Address and port of the HTTP server; port 0 picks a free one. */
  host: string;
  port: number;
  /** Time between the start of one poll and the next. */
  intervalMs: number;
  /** Timeout of each REST request. Default 10 s. */
  requestTimeoutMs?: number;
  metersIntervalMs?: number | false;
  /** Only this tenant's figures (the environment's camunda.tenantId). */
  tenantId?: string;
  /** One line per state change of the poll loop (engine reachable or not); never a line per poll. */
  log?: (line: string) => void;
  /** Process metrics (CPU, memory, event loop) of the exporter itself; default true. */
  defaultMetrics?: boolean;
  fetch?: typeof fetch;
}

export interface RunningExporter {
  readonly port: number;
  readonly url: string;
  readonly metrics: ExporterMetrics;
  /** The last successful poll. */
  readonly last: EngineSnapshot | undefined;
  /** Resolves after the next poll completes (tests and `--once`). */
  nextPoll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const counter: RequestCounter = { count: 0 };
  const client = createCamundaClient({
    baseUrl: options.baseUrl,
    username: options.username,
    password: options.password,
    timeoutMs: options.requestTimeoutMs ?? 10_000,
    // One retry for a dropped connection; a poll that still fails waits for the next interval.
    retries: 1,
    fetch: countingFetch(counter, options.fetch),
  });
  const collector = new EngineCollector({
    client,
    requests: counter,
    ...(options.metersIntervalMs !== undefined ? { metersIntervalMs: options.metersIntervalMs } : {}),
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
  });
  const metrics = createExporterMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const log = options.log ?? (() => {});

  let last: EngineSnapshot | undefined;
  let lastError: string | undefined = "no poll has finished yet";
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let waiters: Array<() => void> = [];

  const poll = async () => {
    const started = performance.now();
    const before = counter.count;
    try {
      const snapshot = await collector.collect();
      metrics.update(snapshot);
      last = snapshot;
      if (lastError !== undefined)
        log(`polling ${options.baseUrl}: ok (${snapshot.requests} requests per poll)`);
      lastError = undefined;
    } catch (error) {
      metrics.failed((performance.now() - started) / 1000, counter.count - before);
      const message = errorMessage(error);
      if (message !== lastError) log(`polling ${options.baseUrl} failed: ${message}`);
      lastError = message;
    }
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const loop = async () => {
    const started = Date.now();
    await poll();
    if (stopped) return;
    timer = setTimeout(loop, Math.max(0, options.intervalMs - (Date.now() - started)));
    timer.unref?.();
  };

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const send = (status: number, body: string, type = "application/json") => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    if (request.method !== "GET" && request.method !== "HEAD")
      return send(405, '{"error":"method not allowed"}');
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => send(200, text, metrics.registry.contentType),
        (error) => send(500, JSON.stringify({ error: errorMessage(error) })),
      );
      return;
    }
    if (path === "/healthz") return send(200, '{"status":"ok"}');
    if (path === "/readyz") {
      return lastError === undefined
        ? send(200, '{"status":"ready"}')
        : send(503, JSON.stringify({ status: "not ready", reason: lastError }));
    }
    send(404, '{"error":"not found; try /metrics, /healthz or /readyz"}');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  void loop();

  return {
    port,
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}/metrics`,
    metrics,
    get last() {
      return last;
    },
    nextPoll: () => new Promise<void>((resolve) => waiters.push(resolve)),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
