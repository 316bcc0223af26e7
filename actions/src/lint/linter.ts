import { existsSync } from "node:fs";
import path from "node:path";
import { Linter } from "bpmnlint";
import { errorMessage, UsageError } from "#core/util/errors.js";
import { type LintConfig, loadConfig } from "./config.js";
import { BPMNLINT_CONSEQUENCES, builtInConsequence, defaultSeverity } from "./consequences.js";
import { discoverFiles, kindOf } from "./discover.js";
import { discoverForms, indexForms } from "./forms.js";
import { type LoadedFile, loadFile, parseLoaded } from "./load.js";
import type { Occurrence, ProjectIndex, RuleContext, TopicRegistry } from "./plugin/context.js";
import { DEFAULT_REGISTRY_FILE, loadRegistry, type RegistrySource } from "./registry.js";
import { finish } from "./report.js";
import { ProjectResolver, type RuleMeta } from "./resolver.js";
import {
  type Suppression,
  suppressionsFromAllowList,
  suppressionsFromComments,
  suppressionsFromConfig,
} from "./suppressions.js";
import { runRules } from "./traverse.js";
import { CONSEQUENCES, type Consequence, type Finding, type LintReport, type Severity } from "./types.js";

export interface LintOptions {
  /** Files and folders to lint; default: the repository's processes/ folder. */
  paths?: readonly string[];
  /** Repository root: findings' paths are relative to it. */
  root: string;
  /** bpmnlint config file; default <root>/processes/.bpmnlintrc, or the built-in default when absent. */
  configFile?: string | null;
  /** Where the cross-file checks look for processes and decisions; default <root>/processes. */
  indexPaths?: readonly string[];
  /** Where the worker topics come from; default the registry module. null disables topic checks. */
  registry?: RegistrySource | null;
}

type RuleDefinition = {
  name: string;
  category: string;
  config: unknown;
  rule: { check: unknown; meta?: RuleMeta };
};

const SEVERITY: Record<string, Severity> = { error: "error", warn: "warning", info: "info" };

/** Findings of one rule in one file beyond this many are summed up in one "and N more" finding. */
export const MAX_FINDINGS_PER_RULE = 100;

/**
 * How a rule's findings are judged: its consequence, and the severity the configuration gives it when
 * the configuration names the rule itself (a preset's severity gives way to the consequence's default).
 */
interface RulePolicy {
  consequence: Consequence;
  configured: Severity | null;
}

/** Lints BPMN/DMN files: every file parsed once, bpmnlint + project rules, cross-file checks, suppressions. */
export async function lint(options: LintOptions): Promise<LintReport> {
  const root = path.resolve(options.root);
  const configFile =
    options.configFile === undefined
      ? defaultConfigFile(root)
      : options.configFile === null
        ? null
        : path.resolve(options.configFile);
  const config = await loadConfig(configFile, root);
  const relative = (file: string) => path.relative(root, file).split(path.sep).join("/");

  const lintPaths = await discoverFiles(options.paths ?? [path.join(root, "processes")], true);
  const indexOnly = (await discoverFiles(options.indexPaths ?? [path.join(root, "processes")], false)).filter(
    (file) => !lintPaths.includes(file),
  );

  const loaded = new Map<string, LoadedFile>();
  for (const file of [...lintPaths, ...indexOnly]) {
    const kind = kindOf(file) ?? "bpmn";
    loaded.set(file, await loadFile(file, relative(file), kind, config.settings.maxFileBytes));
  }

  const findings: Finding[] = [];
  const registrySource = options.registry === undefined ? { file: DEFAULT_REGISTRY_FILE } : options.registry;
  let registry: TopicRegistry | null = null;
  if (registrySource) {
    const result = await loadRegistry(root, registrySource);
    if (result.ok) registry = result.registry;
    else {
      findings.push({
        file: result.file,
        line: 1,
        column: 1,
        elementId: null,
        rule: "camunda-gitops/topic-registry",
        severity: "warning",
        consequence: "policy",
        message: `${result.reason}; topics were not checked against the workers`,
      });
    }
  }

  // Camunda Forms: problems are reported for the forms under the linted paths, all are indexed.
  const lintedForms = await discoverForms(options.paths ?? [path.join(root, "processes")]);
  const indexedForms = (await discoverForms(options.indexPaths ?? [path.join(root, "processes")])).filter(
    (file) => !lintedForms.includes(file),
  );
  const forms = await indexForms([...lintedForms, ...indexedForms], relative, config.settings.maxFileBytes);
  const lintedFormFiles = new Set(lintedForms.map(relative));
  append(
    findings,
    forms.problems.filter((problem) => lintedFormFiles.has(problem.file)),
  );

  const context: RuleContext = {
    file: undefined as unknown as RuleContext["file"],
    index: { ...buildIndex([...loaded.values()]), forms },
    registry,
  };
  const resolver = new ProjectResolver(context);
  const definitions = await resolveRules(config, resolver);
  const policies = new Map(definitions.map((d) => [d.name, rulePolicy(d, config)]));

  const suppressions: Suppression[] = config.source
    ? suppressionsFromConfig(config.settings.suppress, config.source)
    : [];
  if (config.source) {
    const allowed = suppressionsFromAllowList(
      config.settings.allowCode,
      config.allowCodeLines,
      config.source,
    );
    append(suppressions, allowed.suppressions);
    append(findings, allowed.problems);
  }
  for (const file of lintPaths) {
    const model = loaded.get(file);
    if (!model) continue;
    await parseLoaded(model);
    append(findings, model.problems);
    if (!model.root || !model.sourceMap) continue;
    const fromComments = suppressionsFromComments(model.path, model.sourceMap.comments);
    append(suppressions, fromComments.suppressions);
    append(findings, fromComments.problems);
    context.file = {
      path: model.path,
      kind: model.kind,
      root: model.root,
      sourceMap: model.sourceMap,
      importWarnings: model.importWarnings,
      tree: model.sourceMap.tree,
      releasable: !config.settings.notForRelease.some((prefix) => model.path.startsWith(prefix)),
    };
    append(findings, lintModel(model, definitions, policies, resolver));
    // The index is built; letting the tree go keeps peak memory near one model's worth per file.
    model.root = null;
    model.sourceMap = null;
  }

  if (indexOnly.length === 0) {
    // Unused topics are a repository-wide question: asked only when every indexed model is linted.
    for (const definition of definitions) {
      const project = definition.rule.meta?.project;
      if (!project?.checkProject) continue;
      const policy = policies.get(definition.name) ?? rulePolicy(definition, config);
      for (const report of project.checkProject(
        (definition.config ?? {}) as Record<string, unknown>,
        context,
      )) {
        findings.push({
          ...report,
          rule: definition.name,
          severity: policy.configured ?? defaultSeverity(policy.consequence),
          consequence: policy.consequence,
        });
      }
    }
  }

  return finish(findings, suppressions, lintPaths.map(relative));
}

function defaultConfigFile(root: string): string | null {
  const file = path.join(root, "processes", ".bpmnlintrc");
  return existsSync(file) ? file : null;
}

async function resolveRules(config: LintConfig, resolver: ProjectResolver): Promise<RuleDefinition[]> {
  const linter = new Linter({ resolver });
  try {
    const resolved = await linter.resolveRules(config.bpmnlint);
    return resolved as RuleDefinition[];
  } catch (error) {
    throw new UsageError(
      `lint: ${config.source ?? "the default configuration"}: ${errorMessage(error)}; fix the rule or config name.`,
    );
  }
}

/** Rule names as the configuration's own `rules` key writes them, normalized as bpmnlint does. */
function explicitlyConfigured(config: LintConfig): Map<string, unknown> {
  const named = new Map<string, unknown>();
  for (const [name, value] of Object.entries(config.bpmnlint.rules ?? {})) {
    named.set(name.replace(/^bpmnlint\//, "").replace(/^bpmnlint-plugin-/, ""), value);
  }
  return named;
}

function rulePolicy(definition: RuleDefinition, config: LintConfig): RulePolicy {
  const own = definition.rule.meta?.project;
  const consequence =
    own?.consequence ?? BPMNLINT_CONSEQUENCES[definition.name] ?? builtInConsequence(definition.name);
  const explicit = explicitlyConfigured(config).has(definition.name);
  return { consequence, configured: explicit ? (SEVERITY[definition.category] ?? "error") : null };
}

/** `push(...items)` overflows the call stack for very large arrays; this does not. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function appliesTo(definition: RuleDefinition, kind: LoadedFile["kind"]): boolean {
  const target = definition.rule.meta?.appliesTo ?? "bpmn";
  return target === kind || target === "both";
}

function lintModel(
  model: LoadedFile,
  definitions: readonly RuleDefinition[],
  policies: ReadonlyMap<string, RulePolicy>,
  resolver: ProjectResolver,
): Finding[] {
  const findings: Finding[] = [];
  const sourceMap = model.sourceMap;
  const fallback = sourceMap?.root?.position ?? { line: 1, column: 1 };
  const locate = (id: string | undefined) => (id ? sourceMap?.ids.get(id)?.[0] : undefined) ?? fallback;

  for (const warning of model.importWarnings) {
    // Content the modeler's reader cannot place is dropped when the modeler saves the file; the engine
    // reads the XML itself, so this is not a deployment problem.
    if (warning.kind !== "invalid-content" || !warning.message.startsWith("unparsable content")) continue;
    const position = warning.elementId ? locate(warning.elementId) : (warning.position ?? fallback);
    findings.push({
      file: model.path,
      ...position,
      elementId: warning.elementId,
      rule: "camunda-gitops/modeler-compat",
      severity: "warning",
      consequence: "style",
      message: `${warning.message}: Camunda Modeler cannot read this and drops it when it saves the file`,
    });
  }

  const active = definitions.filter((d) => appliesTo(d, model.kind) && !d.rule.meta?.project?.checkProject);
  const instances = active.map((d) => resolver.instantiate(d.name, d.config));
  const reporters = runRules(model.root, instances);
  active.forEach((definition, i) => {
    const reporter = reporters[i];
    if (!reporter) return;
    if (reporter.error !== undefined) {
      findings.push({
        file: model.path,
        ...fallback,
        elementId: null,
        rule: "camunda-gitops/rule-error",
        severity: "error",
        consequence: "policy",
        message: `rule ${definition.name} failed on this file (${errorMessage(reporter.error)}); please report it`,
      });
      return;
    }
    const policy = policies.get(definition.name) as RulePolicy;
    const reports = reporter.reports;
    for (const report of reports.slice(0, MAX_FINDINGS_PER_RULE)) {
      const position =
        typeof report.line === "number"
          ? { line: report.line, column: report.column ?? 1 }
          : locate(report.id);
      const consequence = CONSEQUENCES.includes(report.consequence as Consequence)
        ? (report.consequence as Consequence)
        : policy.consequence;
      const base = policy.configured ?? defaultSeverity(consequence);
      // A rule may lower its own severity for uncertain findings, never raise it.
      const severity = report.severity === "warning" && base === "error" ? "warning" : base;
      findings.push({
        file: model.path,
        line: position.line,
        column: position.column,
        elementId: report.id ? report.id : null,
        rule: definition.name,
        severity,
        consequence,
        message: report.message,
      });
    }
    if (reports.length > MAX_FINDINGS_PER_RULE) {
      findings.push({
        file: model.path,
        ...fallback,
        elementId: null,
        rule: definition.name,
        severity: policy.configured ?? defaultSeverity(policy.consequence),
        consequence: policy.consequence,
        message: `and ${reports.length - MAX_FINDINGS_PER_RULE} more findings of this rule in this file (the first ${MAX_FINDINGS_PER_RULE} are listed)`,
      });
    }
  });
  return findings;
}

function buildIndex(files: readonly LoadedFile[]): Omit<ProjectIndex, "forms"> {
  const index: Omit<ProjectIndex, "forms"> = {
    processIds: new Map(),
    decisionIds: new Map(),
    topicsUsed: new Map(),
  };
  const add = (map: Map<string, Occurrence[]>, key: string, occurrence: Occurrence) => {
    const list = map.get(key);
    if (list) list.push(occurrence);
    else map.set(key, [occurrence]);
  };
  for (const file of files) {
    // Only files that are well-formed models of their kind declare anything.
    if (!file.sourceMap || file.text === null) continue;
    const { processes, decisions, topics } = file.sourceMap.declarations;
    if (file.kind === "bpmn") {
      for (const id of processes) add(index.processIds, id, { file: file.path, elementId: id });
      for (const { topic, elementId } of topics) add(index.topicsUsed, topic, { file: file.path, elementId });
    } else {
      for (const id of decisions) add(index.decisionIds, id, { file: file.path, elementId: id });
    }
  }
  return index;
}
