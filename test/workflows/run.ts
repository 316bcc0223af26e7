/**
 * `npm run workflow -- <workflow> [options]`: runs one workflow of this checkout (uncommitted changes
 * included) with nektos/act on this machine, exactly as the tests in test/integration/workflows/ do
 * (test/support/act.ts), and prints its steps, annotations, job summaries and results as it goes.
 * docs/workflows.md explains the options and what act cannot do.
 */
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import {
  type ActLine,
  pullRequestEvent,
  pushEvent,
  runWorkflow,
  WorkflowTree,
  workflowDispatchEvent,
} from "../support/act.js";

const usage = `usage: npm run workflow -- <workflow> [options]

  <workflow>            a file of .github/workflows (pull-request, release-processes.yml, …)
  --job ID              run this job (and the jobs it needs) only
  --event NAME          pull_request, push or workflow_dispatch (default: the workflow's first of these)
  --input NAME=VALUE    a workflow_dispatch input (others take their defaults); repeatable
  --secret NAME         pass the secret NAME, read from this shell's environment; repeatable
  --var NAME=VALUE      a repository variable (vars.NAME); repeatable
  --env NAME=VALUE      a variable in every step's environment; repeatable
  --timeout MINUTES     stop act after this long (default 30)
  --quiet               print annotations, summaries and results, not every output line`;

type Event = "pull_request" | "push" | "workflow_dispatch";

function pairs(values: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf("=");
    if (at < 1) throw new UsageError(`${what} "${value}" is not NAME=VALUE`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

class UsageError extends Error {}

function describe(line: ActLine): string | undefined {
  const job = line.jobID ?? "act";
  if (line.command === "error" || line.command === "warning" || line.command === "notice") {
    const kv = line.kvPairs ?? {};
    const where = kv.file ? ` ${kv.file}${kv.line ? `:${kv.line}` : ""}` : "";
    return `[${job}] ${line.command}${where}${kv.title ? ` (${kv.title})` : ""}: ${line.arg ?? ""}`;
  }
  if (line.command === "summary") return undefined; // printed at the end
  if (line.jobResult) return `[${job}] job ${line.jobResult}`;
  if (line.stepResult && line.stage === "Main" && line.stepID?.length === 1) {
    const seconds = ((line.executionTime ?? 0) / 1e9).toFixed(1);
    return `[${job}] ${line.stepResult === "success" ? "✓" : "✗"} ${(line.step ?? "").split("\n")[0]?.replace(/@[0-9a-f]{40}$/, "")} (${seconds} s)`;
  }
  if (line.raw_output) return `[${job}]   ${(line.msg ?? "").trimEnd()}`;
  if (line.level === "error" && line.msg) return `[${job}] ${line.msg.trim()}`;
  return undefined;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      job: { type: "string" },
      event: { type: "string" },
      input: { type: "string", multiple: true },
      secret: { type: "string", multiple: true },
      var: { type: "string", multiple: true },
      env: { type: "string", multiple: true },
      timeout: { type: "string", default: "30" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError("name one workflow");

  const tree = WorkflowTree.fromCheckout("cli");
  try {
    const base = name.replace(/^\.github\/workflows\//, "").replace(/\.ya?ml$/, "");
    const file = [`.github/workflows/${base}.yml`, `.github/workflows/${base}.yaml`].find((f) => {
      try {
        tree.read(f);
        return true;
      } catch {
        return false;
      }
    });
    if (!file) throw new UsageError(`there is no .github/workflows/${base}.yml`);
    const parsed = parseYaml(tree.read(file)) as {
      on?: Record<string, { inputs?: Record<string, { default?: unknown }> } | null>;
    };
    const triggers = Object.keys(parsed.on ?? {});
    const event = (values.event ??
      ["pull_request", "push", "workflow_dispatch"].find((e) => triggers.includes(e))) as Event | undefined;
    if (!event || !["pull_request", "push", "workflow_dispatch"].includes(event)) {
      throw new UsageError(
        `${file} is triggered by ${triggers.join(", ") || "nothing"}; choose --event pull_request, push or workflow_dispatch`,
      );
    }
    const secrets: Record<string, string> = {};
    for (const secret of values.secret ?? []) {
      const value = process.env[secret];
      if (value === undefined) throw new UsageError(`--secret ${secret}: ${secret} is not set in this shell`);
      secrets[secret] = value;
    }
    let payload: object;
    if (event === "workflow_dispatch") {
      const declared = parsed.on?.workflow_dispatch?.inputs ?? {};
      const inputs: Record<string, string> = {};
      for (const [key, spec] of Object.entries(declared)) inputs[key] = String(spec?.default ?? "");
      for (const [key, value] of Object.entries(pairs(values.input, "--input"))) {
        if (!(key in declared)) throw new UsageError(`${file} has no input "${key}"`);
        inputs[key] = value;
      }
      payload = workflowDispatchEvent(inputs);
    } else {
      payload = event === "push" ? pushEvent(tree) : pullRequestEvent(tree);
    }

    const quiet = values.quiet;
    // act runs in a process group of its own: pass Ctrl-C on, then clean up as after any run.
    const interrupted = new AbortController();
    process.once("SIGINT", () => interrupted.abort());
    const run = await runWorkflow({
      tree,
      workflow: file,
      event,
      payload,
      ...(values.job ? { job: values.job } : {}),
      secrets,
      vars: pairs(values.var, "--var"),
      env: pairs(values.env, "--env"),
      timeoutMs: Number(values.timeout) * 60_000,
      signal: interrupted.signal,
      onLine: (line) => {
        const text = describe(line);
        if (text && (!quiet || !line.raw_output)) console.log(text);
      },
    });
    for (const line of run.lines.filter((l) => l.command === "summary")) {
      console.log(
        `\n── summary of ${line.jobID} / ${(line.step ?? "").split("\n")[0]} ──\n${line.content ?? ""}`,
      );
    }
    console.log(`\n${run.timings()}`);
    if (run.timedOut) console.log(`act was stopped after ${values.timeout} minute(s)`);
    if (run.exitCode !== 0 && run.stderr.trim()) {
      const errors = run.stderr
        .split("\n")
        .filter((l) => l.startsWith("Error:"))
        .join("\n");
      if (errors) console.log(errors);
    }
    return run.exitCode === 0 ? 0 : 1;
  } finally {
    tree.dispose();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`workflow: ${error.message}\n\n${usage}`);
      process.exitCode = 2;
    } else {
      console.error(`workflow: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  },
);
