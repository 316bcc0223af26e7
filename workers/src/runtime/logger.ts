/**
 * JSON logs (pino). The runtime logs ids, topics, outcomes and durations, never variable values,
 * business keys or credentials; the redaction below is a second line of defence should a field of
 * that kind slip into a log call.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type Logger, pino } from "pino";

export type { Logger };

/**
 * Fields every log line written while a task runs carries (its trace and span ids, see tracing.ts),
 * whichever logger writes it: the task's async flow holds them, so no call site has to pass them on.
 */
const taskLogFields = new AsyncLocalStorage<Readonly<Record<string, string>>>();

export function withLogFields<T>(fields: Readonly<Record<string, string>>, run: () => T): T {
  return taskLogFields.run(fields, run);
}

export const REDACTED_PATHS = [
  "password",
  "*.password",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "variables",
  "*.variables",
  "businessKey",
  "*.businessKey",
];

export function createLogger(
  options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  return pino(
    {
      name: options.name ?? "camunda-workers",
      level: options.level ?? "info",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      mixin: () => taskLogFields.getStore() ?? {},
    },
    options.destination ?? pino.destination(1),
  );
}
