/**
 * Composition root shared by the container entry point (workers/src/main.ts) and
 * `camunda-gitops workers`: builds the ports, the worker and its health server from one validated
 * configuration, and wires SIGTERM/SIGINT to a graceful stop (a second signal skips the grace period).
 */
import path from "node:path";
import type { TopicDefinition } from "#workers/handler.js";
import { FileIdempotencyStore } from "#workers/ports/file-idempotency-store.js";
import { OutboxNotifier } from "#workers/ports/notifier.js";
import { IdempotentPolicyStore } from "#workers/ports/policy-store.js";
import { topicRegistry } from "#workers/registry.js";
import type { WorkerConfig } from "./config.js";
import { type HealthServer, startHealthServer } from "./health-server.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { type ShutdownReport, Worker } from "./worker.js";

export interface RunningWorkers {
  readonly worker: Worker;
  readonly health: HealthServer;
  /** Resolves when the worker has stopped (after a signal or stop()) and the health server is closed. */
  readonly finished: Promise<ShutdownReport>;
  stop(): Promise<ShutdownReport>;
}

export async function runWorkers(
  config: WorkerConfig,
  options: {
    logger?: Logger;
    handleSignals?: boolean;
    topics?: Readonly<Record<string, TopicDefinition>>;
  } = {},
): Promise<RunningWorkers> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics();
  const store = new FileIdempotencyStore(path.join(config.dataDir, "store"));
  // Callers that bring their own topics (tests, benchmarks) serve exactly those; otherwise the
  // registry's topics selected by WORKER_TOPICS.
  const topics =
    options.topics ??
    Object.fromEntries(
      config.topics.map((t) => [t, topicRegistry[t] as TopicDefinition]).filter(([, d]) => d),
    );
  const worker = new Worker(config, {
    topics,
    policies: new IdempotentPolicyStore(store),
    notifier: new OutboxNotifier(store, (message) =>
      logger.info(
        { kind: message.kind, recipient: message.to.type },
        "notification written to the local outbox",
      ),
    ),
    logger,
    metrics,
  });
  logger.info(
    { engine: config.baseUrl, user: config.username, dataDir: config.dataDir, tenantId: config.tenantId },
    "starting external task workers",
  );
  await worker.start();
  const health = await startHealthServer({
    host: config.httpHost,
    port: config.httpPort,
    worker,
    registry: metrics.registry,
  });
  logger.info({ port: health.port }, "health and metrics listening (/healthz, /readyz, /metrics)");

  let resolveFinished: (report: ShutdownReport) => void = () => undefined;
  const finished = new Promise<ShutdownReport>((resolve) => {
    resolveFinished = resolve;
  });
  let stopping: Promise<ShutdownReport> | undefined;
  const stop = () => {
    stopping ??= worker.stop().then(async (report) => {
      await health.close();
      resolveFinished(report);
      return report;
    });
    return stopping;
  };

  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, "second signal: unlocking running tasks now");
        worker.skipGrace();
        return;
      }
      logger.info({ signal }, "signal received; shutting down gracefully");
      void stop();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    void finished.then(() => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    });
  }
  return { worker, health, finished, stop };
}
