/**
 * The engine and model settings the end-to-end benchmark compares, each on an engine and database of
 * its own (the history level is fixed per database: the engine refuses to start on a database
 * written at another level). A setting is the production configuration plus named changes:
 * - history: FULL (production) or AUDIT;
 * - decision: the risk decision as an async job (production: asyncBefore on DetermineRiskgroup) or
 *   evaluated in the transaction of the validate-application complete;
 * - engine properties: Spring properties of the local engine (job executor pool and acquisition),
 *   passed as -D options, so no file is edited;
 * - driver: the production workers, or the bare REST loop doing the same engine work (with every
 *   output as a process variable, or with the outputs no later step reads sent as transient).
 */

export type Driver = "workers" | "bare";
export type Outputs = "persistent" | "transient";

export interface Setting {
  name: string;
  /** One line for the report: what differs from production. */
  summary: string;
  history: "full" | "audit";
  decision: "async" | "sync";
  engineProperties: Record<string, string>;
  driver: Driver;
  /** Bare loop only: whether outputs no later GREEN step reads are persisted. */
  outputs: Outputs;
}

const production: Omit<Setting, "name" | "summary"> = {
  history: "full",
  decision: "async",
  engineProperties: {},
  driver: "workers",
  outputs: "persistent",
};

/** Named settings for `--settings a,b,c`; `full` is production as shipped. */
export const presets: Record<string, Setting> = {
  full: {
    name: "full",
    summary: "production: history FULL, async decision, job executor defaults",
    ...production,
  },
  audit: { name: "audit", summary: "history AUDIT", ...production, history: "audit" },
  "sync-decision": {
    name: "sync-decision",
    summary: "the risk decision without asyncBefore (in the validate-application complete)",
    ...production,
    decision: "sync",
  },
  "executor-2": {
    name: "executor-2",
    summary: "job executor with 2 threads (core and max pool size 2, one per core)",
    ...production,
    engineProperties: {
      "camunda.bpm.job-execution.core-pool-size": "2",
      "camunda.bpm.job-execution.max-pool-size": "2",
    },
  },
  "executor-batch": {
    name: "executor-batch",
    summary:
      "job executor acquiring 10 jobs at a time (maxJobsPerAcquisition and queue capacity 10), wait time 1 s",
    ...production,
    engineProperties: {
      "camunda.bpm.job-execution.max-jobs-per-acquisition": "10",
      "camunda.bpm.job-execution.queue-capacity": "10",
      "camunda.bpm.job-execution.wait-time-in-millis": "1000",
    },
  },
  bare: {
    name: "bare",
    summary: "the bare REST loop instead of the workers (same engine work, no worker logic)",
    ...production,
    driver: "bare",
  },
  "bare-transient": {
    name: "bare-transient",
    summary:
      "the bare REST loop sending the 5 outputs no later GREEN step reads as transient (not stored, not in history)",
    ...production,
    driver: "bare",
    outputs: "transient",
  },
};

/** Without options: every preset, production first, the bare loop before its variant. */
export const defaultSettings = [
  "full",
  "audit",
  "sync-decision",
  "bare",
  "bare-transient",
  "executor-2",
  "executor-batch",
];

const propertyName = /^[a-z][a-z0-9.-]*[a-z0-9]$/;

/**
 * The settings of one invocation: `--settings` names presets; `--history`, `--decision` and
 * `--engine-property name=value` build one setting (production where not given); with none of
 * them, every preset.
 * Throws one sentence on a bad value.
 */
export function resolveSettings(options: {
  settings?: string;
  history?: string;
  decision?: string;
  engineProperties?: string[];
  bare?: boolean;
}): Setting[] {
  const custom = options.history ?? options.decision ?? options.engineProperties?.length;
  if (!custom && options.settings === undefined && !options.bare) {
    return defaultSettings.map((name) => presets[name]!);
  }
  if (options.settings !== undefined) {
    if (custom) {
      throw new Error(
        "--settings names presets; --history, --decision and --engine-property build one setting of their own: use one or the other.",
      );
    }
    const names = options.settings
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !presets[n]);
    if (unknown.length > 0 || names.length === 0) {
      throw new Error(
        `unknown setting ${unknown.map((n) => `"${n}"`).join(", ") || "(none given)"}; the presets are ${Object.keys(presets).join(", ")}.`,
      );
    }
    return names.map((n) => presets[n]!);
  }
  const history = options.history ?? "full";
  if (history !== "full" && history !== "audit") {
    throw new Error(`--history must be full or audit, got "${history}".`);
  }
  const decision = options.decision ?? "async";
  if (decision !== "async" && decision !== "sync") {
    throw new Error(`--decision must be async or sync, got "${decision}".`);
  }
  const engineProperties: Record<string, string> = {};
  for (const entry of options.engineProperties ?? []) {
    const at = entry.indexOf("=");
    const name = at > 0 ? entry.slice(0, at) : "";
    if (!propertyName.test(name)) {
      throw new Error(
        `--engine-property wants name=value with a Spring property name, e.g. camunda.bpm.job-execution.core-pool-size=2; got "${entry}".`,
      );
    }
    engineProperties[name] = entry.slice(at + 1);
  }
  const changes = [
    history !== "full" ? `history ${history.toUpperCase()}` : "",
    decision !== "async" ? "synchronous decision" : "",
    ...Object.entries(engineProperties).map(([k, v]) => `${k}=${v}`),
  ].filter(Boolean);
  const setting: Setting = {
    name: changes.length === 0 ? "full" : "custom",
    summary: changes.length === 0 ? presets.full!.summary : changes.join(", "),
    history,
    decision,
    engineProperties,
    driver: "workers",
    outputs: "persistent",
  };
  return options.bare ? [setting, { ...setting, name: `${setting.name}-bare`, driver: "bare" }] : [setting];
}

/** JVM options that apply the setting's engine configuration (over engine/'s application.yaml). */
export function engineJvmOptions(setting: Setting): string[] {
  return [
    `-Dcamunda.bpm.history-level=${setting.history}`,
    ...Object.entries(setting.engineProperties).map(([name, value]) => `-D${name}=${value}`),
  ];
}

/**
 * The models as this setting deploys them: with `decision: "sync"` the risk decision loses its
 * asyncBefore (and with it its own transaction and job). Throws if the model no longer has it, so
 * the benchmark cannot silently compare two identical models.
 */
export function modelsFor<T extends { name: string; content: string }>(setting: Setting, models: T[]): T[] {
  if (setting.decision === "async") return models;
  return models.map((model) => {
    if (model.name !== "insurance_process.bpmn") return model;
    const text = model.content;
    const next = text.replace(
      /(<bpmn:businessRuleTask id="DetermineRiskgroup"[^>]*?) camunda:asyncBefore="true"/,
      "$1",
    );
    if (next === text) {
      throw new Error(
        'processes/insurance_process.bpmn: the business rule task DetermineRiskgroup has no camunda:asyncBefore="true" any more; update bench/e2e/settings.ts.',
      );
    }
    return { ...model, content: next };
  });
}
