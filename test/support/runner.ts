/**
 * A GitHub runner for an action's run() in this process: inputs and environment given by the test,
 * and everything the action does — outputs, annotations, summary, log, state, the step's failure —
 * recorded for the test to read. It stands in for @actions/core's files and workflow commands,
 * which test/integration/release/action.test.ts and test/aws/delivery/actions.test.ts exercise
 * through the committed bundles.
 */
import type { AnnotationProperties, Runner } from "../../actions/shared/runner.js";

export interface Annotation {
  level: "error" | "warning" | "notice";
  message: string;
  properties: AnnotationProperties;
}

export class RecordingRunner implements Runner {
  readonly env: NodeJS.ProcessEnv;
  readonly outputs: Record<string, string> = {};
  readonly annotations: Annotation[] = [];
  readonly log: string[] = [];
  readonly secrets: string[] = [];
  readonly states: Record<string, string> = {};
  summaryText = "";
  failure: string | undefined;

  constructor(
    private readonly inputs: Record<string, string>,
    env: NodeJS.ProcessEnv = {},
  ) {
    this.env = env;
  }

  input(name: string): string {
    return (this.inputs[name] ?? "").trim();
  }
  output(name: string, value: string | number | boolean): void {
    this.outputs[name] = String(value);
  }
  secret(value: string): void {
    this.secrets.push(value);
  }
  info(line: string): void {
    this.log.push(line);
  }
  debug(line: string): void {
    this.log.push(`debug: ${line}`);
  }
  annotate(level: Annotation["level"], message: string, properties: AnnotationProperties = {}): void {
    this.annotations.push({ level, message, properties });
  }
  async summary(markup: string): Promise<void> {
    this.summaryText += `${markup}\n`;
  }
  saveState(name: string, value: string): void {
    this.states[name] = value;
  }
  state(name: string): string {
    return this.states[name] ?? "";
  }
  fail(message: string): void {
    this.failure = message;
  }

  errors(): Annotation[] {
    return this.annotations.filter((a) => a.level === "error");
  }
}
