/**
 * OpenTelemetry traces of the tasks the workers handle: one span per task, from the moment the runtime
 * starts it until its outcome is reported. A process that carries a W3C trace context in its
 * `traceparent` variable gets the spans as children of that context, so a trace that began in the
 * system that started the application goes on through every task of it.
 *
 * Spans carry what identifies the work (topic, process definition key, activity id, business key,
 * worker id, retries left, outcome) and never a variable's value: those are an applicant's personal
 * data. Every log line written while a task runs carries its trace and span ids.
 *
 * Export is over OTLP/HTTP (JSON) and only when an endpoint is configured
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT): otherwise no SDK is started,
 * spans are the API's non-recording ones and cost next to nothing, and a passed trace id still reaches
 * the logs.
 */
import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { parseTraceParent, setGlobalErrorHandler } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { LockedTask } from "./engine-client.js";
import { describeError } from "./failure-report.js";
import { type Logger, withLogFields } from "./logger.js";
import type { TaskOutcome } from "./metrics.js";

/** The process variable that carries a W3C trace context (`00-<trace id>-<span id>-<flags>`). */
export const TRACEPARENT_VARIABLE = "traceparent";

/** Span attribute names (the camunda.* namespace is this repository's own). */
export const SPAN_ATTRIBUTES = {
  topic: "camunda.external_task.topic",
  taskId: "camunda.external_task.id",
  retries: "camunda.external_task.retries",
  outcome: "camunda.external_task.outcome",
  processDefinitionKey: "camunda.process_definition.key",
  processInstanceId: "camunda.process_instance.id",
  activityId: "camunda.activity.id",
  businessKey: "camunda.business_key",
  workerId: "camunda.worker.id",
} as const;

export interface TracingSettings {
  /** Where spans are sent (OTLP/HTTP, the full `/v1/traces` URL); undefined: tracing off. */
  readonly endpoint: string | undefined;
  readonly serviceName: string;
  readonly workerId: string;
}

/** One task's span, as the runtime sees it. */
export interface TaskSpan {
  /** False without an endpoint: such a span is never exported. */
  readonly recording: boolean;
  /** Runs the task's work inside the span: its log lines carry the trace and span ids. */
  run<T>(work: () => Promise<T>): Promise<T>;
  outcome(outcome: TaskOutcome): void;
  end(): void;
}

export interface TaskTracing {
  /** True when spans are exported. */
  readonly exporting: boolean;
  /** Variables the fetch asks for beyond each topic's own (the engine returns only those that exist). */
  readonly variables: readonly string[];
  start(task: LockedTask): TaskSpan;
  /** Sends what is still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

const FAILED_OUTCOMES: ReadonlySet<TaskOutcome> = new Set(["failed", "incident", "report_failed"]);

/** Starts the SDK when an endpoint is configured; otherwise only the API's non-recording spans. */
export function startTracing(settings: TracingSettings, log: Logger): TaskTracing {
  if (!settings.endpoint) return new Tracing(trace.getTracer("camunda-workers"), settings.workerId);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.serviceName,
      [ATTR_SERVICE_INSTANCE_ID]: settings.workerId,
    }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: settings.endpoint }),
        scheduledDelayMillis: 1_000,
      }),
    ],
  });
  // An unreachable collector must neither stop a task nor flood the log: one warning per failure.
  setGlobalErrorHandler((error) =>
    log.warn({ err: describeError(error).message, endpoint: settings.endpoint }, "exporting spans failed"),
  );
  log.info({ endpoint: settings.endpoint }, "tracing: exporting spans over OTLP/HTTP");
  return new Tracing(provider.getTracer("camunda-workers"), settings.workerId, provider);
}

class Tracing implements TaskTracing {
  readonly variables = [TRACEPARENT_VARIABLE];

  constructor(
    private readonly tracer: Tracer,
    private readonly workerId: string,
    private readonly provider?: TracerProvider,
  ) {}

  get exporting(): boolean {
    return this.provider !== undefined;
  }

  start(task: LockedTask): TaskSpan {
    const topic = task.topicName ?? "";
    const span = this.tracer.startSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [SPAN_ATTRIBUTES.topic]: topic,
          [SPAN_ATTRIBUTES.taskId]: task.id ?? "",
          [SPAN_ATTRIBUTES.processDefinitionKey]: task.processDefinitionKey ?? "",
          [SPAN_ATTRIBUTES.processInstanceId]: task.processInstanceId ?? "",
          [SPAN_ATTRIBUTES.activityId]: task.activityId ?? "",
          [SPAN_ATTRIBUTES.workerId]: this.workerId,
          ...(task.businessKey ? { [SPAN_ATTRIBUTES.businessKey]: task.businessKey } : {}),
          ...(typeof task.retries === "number" ? { [SPAN_ATTRIBUTES.retries]: task.retries } : {}),
        },
      },
      parentContext(task),
    );
    return new RunningSpan(span);
  }

  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}

class RunningSpan implements TaskSpan {
  private readonly fields: Readonly<Record<string, string>>;

  constructor(private readonly span: Span) {
    const { traceId, spanId } = span.spanContext();
    // A non-recording span without a passed parent has no ids worth logging.
    this.fields = isSpanContextValid(span.spanContext()) ? { traceId, spanId } : {};
  }

  get recording(): boolean {
    return this.span.isRecording();
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return withLogFields(this.fields, () => context.with(trace.setSpan(context.active(), this.span), work));
  }

  outcome(outcome: TaskOutcome): void {
    this.span.setAttribute(SPAN_ATTRIBUTES.outcome, outcome);
    // The failure's message stays out of the span: it may quote what a handler received.
    if (FAILED_OUTCOMES.has(outcome)) this.span.setStatus({ code: SpanStatusCode.ERROR });
  }

  end(): void {
    this.span.end();
  }
}

/** The trace context the process passed in its `traceparent` variable, if any and well formed. */
function parentContext(task: LockedTask) {
  const value = task.variables?.[TRACEPARENT_VARIABLE]?.value;
  const parent = typeof value === "string" ? parseTraceParent(value.trim()) : null;
  return parent ? trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: true }) : ROOT_CONTEXT;
}
