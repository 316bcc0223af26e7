/** Runs a topic the way the runtime does (validate variables, then call the handler) with in-memory ports. */
import type { HandlerContext, HandlerResult } from "#workers/handler.js";
import { parseInput } from "#workers/input.js";
import { MemoryIdempotencyStore } from "#workers/ports/idempotency-store.js";
import { type OutboxMessage, OutboxNotifier } from "#workers/ports/notifier.js";
import { IdempotentPolicyStore } from "#workers/ports/policy-store.js";
import { topicRegistry } from "#workers/registry.js";

export interface Harness {
  store: MemoryIdempotencyStore;
  context(overrides?: Partial<HandlerContext>): HandlerContext;
  run(
    topic: string,
    variables: Record<string, unknown>,
    overrides?: Partial<HandlerContext>,
  ): Promise<HandlerResult>;
  outbox(): Promise<OutboxMessage[]>;
}

export const NOW = new Date("2026-03-14T09:30:00Z");

export function harness(): Harness {
  const store = new MemoryIdempotencyStore();
  const policies = new IdempotentPolicyStore(store);
  const notifier = new OutboxNotifier(store);
  const context = (overrides: Partial<HandlerContext> = {}): HandlerContext => ({
    taskId: "task-1",
    topic: "test",
    processInstanceId: "pi-1",
    businessKey: "APP-1",
    signal: new AbortController().signal,
    now: () => NOW,
    policies,
    notifier,
    ...overrides,
  });
  return {
    store,
    context,
    async run(topic, variables, overrides) {
      const definition = topicRegistry[topic];
      if (!definition) throw new Error(`no topic ${topic}`);
      const parsed = parseInput(definition, variables);
      if (!parsed.ok) return parsed.failure;
      return definition.handler(parsed.value, context({ topic, ...overrides }));
    },
    outbox: () => store.list<OutboxMessage>("outbox"),
  };
}

export const applicant = {
  applicationId: "APP-1",
  applicantName: "Ada Lovelace",
  applicantEmail: "ada@example.org",
  applicantAge: 36,
  vehicleMake: "Volkswagen",
  vehicleModel: "Golf",
  region: "Yorkshire",
};
