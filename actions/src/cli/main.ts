import { errorMessage, UserError } from "#core/util/errors.js";
import type { Command, CommandContext } from "./command.js";
import { wantsHelp } from "./command.js";

/**
 * Verbs are loaded lazily so `camunda-gitops lint` does not pay for the AWS SDK, and a verb whose
 * module fails to load does not take the others down.
 */
const verbs: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  engine: {
    summary: "start, stop or inspect the local Camunda 7.23 engine",
    load: () => import("./commands/engine.js"),
  },
  lint: {
    summary: "lint BPMN/DMN files (text, json, github, sarif)",
    load: () => import("./commands/lint.js"),
  },
  diff: {
    summary: "show what changed in the BPMN/DMN files between two commits",
    load: () => import("./commands/diff.js"),
  },
  plan: {
    summary: "show what a release would change in an environment",
    load: () => import("./commands/plan.js"),
  },
  release: {
    summary: "deploy processes/ to an environment's engine",
    load: () => import("./commands/release.js"),
  },
  drift: {
    summary: "compare what an environment's engine runs with git (exit 2 on drift)",
    load: () => import("./commands/drift.js"),
  },
  package: {
    summary: "build the CodeDeploy bundle (and upload it)",
    load: () => import("./commands/package.js"),
  },
  deploy: {
    summary: "start a CodeDeploy deployment and wait for it",
    load: () => import("./commands/deploy.js"),
  },
  workers: {
    summary: "run the external task workers in the foreground",
    load: () => import("./commands/workers.js"),
  },
  metrics: {
    summary: "serve the platform's business metrics for Prometheus (backlog, tasks, incidents)",
    load: () => import("./commands/metrics.js"),
  },
  up: {
    summary: "run the whole platform locally (engine, release, workers, samples)",
    load: () => import("./commands/up.js"),
  },
  down: { summary: "stop what `up` started", load: () => import("./commands/down.js") },
  status: { summary: "show the local platform's status", load: () => import("./commands/status.js") },
};

function overview(): string {
  const width = Math.max(...Object.keys(verbs).map((v) => v.length));
  const lines = Object.entries(verbs).map(([name, v]) => `  ${name.padEnd(width)}  ${v.summary}`);
  return [
    "Usage: camunda-gitops <verb> [options]",
    "",
    "Verbs:",
    ...lines,
    "",
    "Run `camunda-gitops <verb> --help` for the options of one verb.",
    "Exit codes: 0 ok, 1 the work failed, 2 usage or configuration error.",
  ].join("\n");
}

/** Runs one verb; `context.root` comes from the entry point (bin/camunda-gitops.mjs knows where it is installed). */
export async function main(argv: string[], context: CommandContext): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === "--help" || verb === "-h" || verb === "help") {
    console.log(overview());
    return verb === undefined ? 2 : 0;
  }
  const entry = verbs[verb];
  if (!entry) {
    console.error(`camunda-gitops: unknown verb "${verb}"; run \`camunda-gitops --help\` for the list.`);
    return 2;
  }
  try {
    const { command } = await entry.load();
    if (wantsHelp(rest)) {
      console.log(command.help);
      return 0;
    }
    return await command.run(rest, context);
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof UserError) {
    console.error(`error: ${error.message}`);
    for (const line of error.details) console.error(`  ${line}`);
    return error.exitCode;
  }
  console.error(`error: unexpected failure: ${errorMessage(error)}`);
  if (process.env.DEBUG && error instanceof Error && error.stack) console.error(error.stack);
  else console.error("  (set DEBUG=1 for the stack trace and report it as a bug)");
  return 1;
}
