import type { ProjectReport } from "#core/lint/plugin/helpers.js";
import { defineRule } from "#core/lint/plugin/helpers.js";

export default defineRule({
  name: "unused-topic",
  appliesTo: "project",
  consequence: "style",
  description: "A topic in the worker registry that no BPMN file uses is dead code (or a renamed topic).",
  checkProject: (_config, context) => {
    const registry = context.registry;
    if (!registry) return [];
    const reports: ProjectReport[] = [];
    for (const topic of [...registry.topics].sort()) {
      if (context.index.topicsUsed.has(topic)) continue;
      const position = locate(registry.text, topic);
      reports.push({
        file: registry.file,
        ...position,
        elementId: null,
        message: `topic "${topic}" is registered but no process in the repository uses it; remove the handler or use the topic`,
      });
    }
    return reports;
  },
});

/** Line and column of the topic's string literal in the registry source, or the top of the file. */
function locate(text: string | null, topic: string): { line: number; column: number } {
  if (text) {
    for (const quote of ['"', "'", "`"]) {
      const offset = text.indexOf(`${quote}${topic}${quote}`);
      if (offset !== -1) {
        const before = text.slice(0, offset);
        const line = before.split("\n").length;
        return { line, column: offset - before.lastIndexOf("\n") };
      }
    }
  }
  return { line: 1, column: 1 };
}
