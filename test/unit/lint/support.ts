import assert from "node:assert/strict";
import path from "node:path";
import { type LintOptions, lint } from "#core/lint/index.js";
import { repoRoot } from "../../support/repo.js";

export const fixtures = path.join(repoRoot, "test/fixtures/lint");
export const fixtureRegistry = { file: "test/fixtures/lint/registry/registry.ts" };

/** Lints fixtures against their own small repository index and topic registry, never the real ones. */
export function lintFixtures(paths: string[], options: Partial<LintOptions> = {}) {
  return lint({
    root: repoRoot,
    paths: paths.map((p) => path.join(fixtures, p)),
    indexPaths: [path.join(fixtures, "index")],
    registry: fixtureRegistry,
    configFile: null,
    ...options,
  });
}

const BPMN_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_Docs" targetNamespace="http://example.com/docs">\n';
const DMN_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Definitions_Docs" name="Docs" namespace="http://example.com/docs">\n';

/** A page's example as a whole file: DMN decisions, BPMN definitions content, or the inside of a process. */
export function asFile(rule: string, snippet: string): { name: string; text: string } {
  if (rule.startsWith("dmn-"))
    return { name: "example.dmn", text: `${DMN_OPEN}${snippet}\n</definitions>\n` };
  const topLevel = /^<bpmn:(process|message|signal|error|escalation)\b|<bpmndi:/m.test(snippet);
  // A process without a start event is refused on its own (start-events): examples get one.
  const start = snippet.includes("<bpmn:startEvent") ? "" : '<bpmn:startEvent id="Docs_Start" />\n';
  const body = topLevel
    ? snippet
    : `<bpmn:process id="Process_Docs" isExecutable="true" camunda:historyTimeToLive="180">\n${start}${snippet}\n</bpmn:process>`;
  return { name: "example.bpmn", text: `${BPMN_OPEN}${body}\n</bpmn:definitions>\n` };
}

/** The code example under `## heading` of a rule page. */
export function docsExample(page: string, heading: string): string {
  const start = page.indexOf(`## ${heading}\n`);
  assert.ok(start !== -1, `the page has a "${heading}" section`);
  const block = /```(?:xml|json|ts)?\n([\s\S]*?)```/.exec(page.slice(start));
  assert.ok(block, `the "${heading}" section has an example`);
  return (block[1] ?? "").trim();
}
