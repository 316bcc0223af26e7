/**
 * Composition root shared by the container entry point (workers/src/main.ts) and
 * `camunda-gitops workers`: builds the ports, the worker and its health server from one validated
 * configuration, and wires SIGTERM/SIGINT to a graceful stop (a second signal skips the grace period).
 */
import type { TopicDefinition } from "#workers/handler.js";
import { topicRegistry } from "#workers/registry.js";
import type { WorkerConfig } from "./config.js";
import { type HealthServer, startHealthServer } from "./health-server.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { openStores } from "./stores.js";
import { startTracing } from "./tracing.js";
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
  const stores = await openStores({
    store: config.store,
    dataDir: config.dataDir,
    workerId: config.workerId,
    logger: logger.child({ workerId: config.workerId }),
  });
  // Callers that bring their own topics (tests, benchmarks) serve exactly those; otherwise the
  // registry's topics selected by WORKER_TOPICS.
  const topics =
    options.topics ??
    Object.fromEntries(
      config.topics.map((t) => [t, topicRegistry[t] as TopicDefinition]).filter(([, d]) => d),
    );
  const tracing = startTracing({ ...config.tracing, workerId: config.workerId }, logger);
  const worker = new Worker(config, {
    topics,
    tracing,
    policies: stores.policies,
    notifier: stores.notifier,
    storeNotReady: stores.notReadyReason,
    logger,
    metrics,
  });
  logger.info(
    {
      engine: config.baseUrl,
      user: config.username,
      store: stores.kind,
      ...(stores.kind === "file" ? { dataDir: config.dataDir } : {}),
      cluster: config.cluster,
      tenantId: config.tenantId,
    },
    "starting external task workers",
  );
  try {
    await worker.start();
  } catch (error) {
    await stores.close();
    await tracing.shutdown();
    throw error;
  }
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
      await tracing
        .shutdown()
        .catch((error) => logger.warn({ err: (error as Error).message }, "flushing the last spans failed"));
      await stores
        .close()
        .catch((error) =>
          logger.warn({ err: (error as Error).message }, "closing the database connections failed"),
        );
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
