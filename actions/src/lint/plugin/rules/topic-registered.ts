import { defineRule, idOf, isAny, isExpression } from "#core/lint/plugin/helpers.js";

/** Elements that take camunda:type="external" (moddle's camunda:ServiceTaskLike). */
const EXTERNAL_TASK_TYPES = [
  "bpmn:ServiceTask",
  "bpmn:SendTask",
  "bpmn:BusinessRuleTask",
  "bpmn:MessageEventDefinition",
] as const;

export default defineRule({
  name: "topic-registered",
  appliesTo: "bpmn",
  consequence: "runtime",
  description: "Every external task topic must be served by a worker in the topic registry.",
  create: (_config, context) => (node, reporter) => {
    const registry = context.registry;
    if (!registry || !isAny(node, EXTERNAL_TASK_TYPES) || node.type !== "external") return undefined;
    const topic = typeof node.topic === "string" ? node.topic.trim() : "";
    if (topic === "" || isExpression(topic) || registry.topics.has(topic)) return undefined;
    const owner = node.$type === "bpmn:MessageEventDefinition" ? node.$parent : node;
    const near = closest(topic, registry.topics);
    reporter.report(
      idOf(owner),
      `no worker serves topic "${topic}" (not in ${registry.file}): instances would wait forever; ${near ? `did you mean "${near}"? ` : ""}register a handler or fix the topic`,
    );
    return undefined;
  },
});

/** The registered topic at the smallest edit distance, if it is close enough to be a typo. */
function closest(topic: string, topics: ReadonlySet<string>): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(topic.length / 4)) + 1;
  for (const candidate of topics) {
    const distance = editDistance(topic, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
