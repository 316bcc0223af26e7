import allConfig from "bpmnlint/config/all.js";
import correctnessConfig from "bpmnlint/config/correctness.js";
import recommendedConfig from "bpmnlint/config/recommended.js";
import adHocSubProcess from "bpmnlint/rules/ad-hoc-sub-process.js";
import conditionalEvent from "bpmnlint/rules/conditional-event.js";
import conditionalFlows from "bpmnlint/rules/conditional-flows.js";
import endEventRequired from "bpmnlint/rules/end-event-required.js";
import eventBasedGateway from "bpmnlint/rules/event-based-gateway.js";
import eventSubProcessTypedStartEvent from "bpmnlint/rules/event-sub-process-typed-start-event.js";
import fakeJoin from "bpmnlint/rules/fake-join.js";
import global from "bpmnlint/rules/global.js";
import labelRequired from "bpmnlint/rules/label-required.js";
import linkEvent from "bpmnlint/rules/link-event.js";
import noBpmndi from "bpmnlint/rules/no-bpmndi.js";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway.js";
import noDisconnected from "bpmnlint/rules/no-disconnected.js";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows.js";
import noGatewayJoinFork from "bpmnlint/rules/no-gateway-join-fork.js";
import noImplicitEnd from "bpmnlint/rules/no-implicit-end.js";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split.js";
import noImplicitStart from "bpmnlint/rules/no-implicit-start.js";
import noInclusiveGateway from "bpmnlint/rules/no-inclusive-gateway.js";
import noOverlappingElements from "bpmnlint/rules/no-overlapping-elements.js";
import singleBlankStartEvent from "bpmnlint/rules/single-blank-start-event.js";
import singleEventDefinition from "bpmnlint/rules/single-event-definition.js";
import standardSize from "bpmnlint/rules/standard-size.js";
import startEventRequired from "bpmnlint/rules/start-event-required.js";
import subProcessBlankStartEvent from "bpmnlint/rules/sub-process-blank-start-event.js";
import superfluousGateway from "bpmnlint/rules/superfluous-gateway.js";
import superfluousLabel from "bpmnlint/rules/superfluous-label.js";
import superfluousTermination from "bpmnlint/rules/superfluous-termination.js";
import type { RuleContext } from "./plugin/context.js";
import type { ProjectRule } from "./plugin/helpers.js";
import { configs, PLUGIN_PACKAGE, rulesByName } from "./plugin/index.js";

type RuleFactory = (config?: unknown) => { check: unknown; meta?: unknown };

/**
 * bpmnlint's own rules, imported statically: the GitHub Action is one bundled file, so rules cannot
 * be looked up on disk at run time the way bpmnlint's NodeResolver does.
 */
const bpmnlintRules: Record<string, RuleFactory> = {
  "ad-hoc-sub-process": adHocSubProcess,
  "conditional-event": conditionalEvent,
  "conditional-flows": conditionalFlows,
  "end-event-required": endEventRequired,
  "event-based-gateway": eventBasedGateway,
  "event-sub-process-typed-start-event": eventSubProcessTypedStartEvent,
  "fake-join": fakeJoin,
  global,
  "label-required": labelRequired,
  "link-event": linkEvent,
  "no-bpmndi": noBpmndi,
  "no-complex-gateway": noComplexGateway,
  "no-disconnected": noDisconnected,
  "no-duplicate-sequence-flows": noDuplicateSequenceFlows,
  "no-gateway-join-fork": noGatewayJoinFork,
  "no-implicit-end": noImplicitEnd,
  "no-implicit-split": noImplicitSplit,
  "no-implicit-start": noImplicitStart,
  "no-inclusive-gateway": noInclusiveGateway,
  "no-overlapping-elements": noOverlappingElements,
  "single-blank-start-event": singleBlankStartEvent,
  "single-event-definition": singleEventDefinition,
  "standard-size": standardSize,
  "start-event-required": startEventRequired,
  "sub-process-blank-start-event": subProcessBlankStartEvent,
  "superfluous-gateway": superfluousGateway,
  "superfluous-label": superfluousLabel,
  "superfluous-termination": superfluousTermination,
};

const bpmnlintConfigs: Record<string, unknown> = {
  all: allConfig,
  correctness: correctnessConfig,
  recommended: recommendedConfig,
};

/** Rule metadata the linter reads back to know which files a rule applies to. */
export interface RuleMeta {
  appliesTo: ProjectRule["appliesTo"];
  project?: ProjectRule;
}

/**
 * A bpmnlint resolver for `bpmnlint:*` and the project's own plugin, `plugin:camunda-gitops/*`.
 * The project's rules receive the run's context (repository index, topic registry, current file).
 */
export class ProjectResolver {
  constructor(private readonly context: RuleContext) {}

  resolveRule(pkg: string, ruleName: string): RuleFactory {
    if (pkg === "bpmnlint") {
      const factory = bpmnlintRules[ruleName];
      if (!factory) throw new Error(`bpmnlint has no rule "${ruleName}"`);
      return (config) => ({ ...factory(config), meta: { appliesTo: "bpmn" } satisfies RuleMeta });
    }
    if (pkg === PLUGIN_PACKAGE) {
      const rule = rulesByName.get(ruleName);
      if (!rule) throw new Error(`the camunda-gitops plugin has no rule "${ruleName}"`);
      return (config) => {
        const options = (config ?? {}) as Record<string, unknown>;
        const meta: RuleMeta = { appliesTo: rule.appliesTo, project: rule };
        if (rule.create) return { check: rule.create(options, this.context), meta };
        // Project rules run once per run, outside bpmnlint's per-file traversal.
        return { check: () => undefined, meta };
      };
    }
    throw new Error(`unknown rule package "${pkg}" (only bpmnlint and ${PLUGIN_PACKAGE} are available)`);
  }

  /**
   * A fresh rule instance for a normalized rule name (`conditional-flows`, `camunda-gitops/x`).
   * Some bpmnlint rules keep state in their factory closure, so each file gets new instances,
   * exactly as bpmnlint's own CLI does by creating a Linter per file.
   */
  instantiate(name: string, config: unknown): { check: unknown; meta?: RuleMeta } {
    const slash = name.indexOf("/");
    const factory =
      slash === -1
        ? this.resolveRule("bpmnlint", name)
        : this.resolveRule(`bpmnlint-plugin-${name.slice(0, slash)}`, name.slice(slash + 1));
    return factory(config) as { check: unknown; meta?: RuleMeta };
  }

  resolveConfig(pkg: string, configName: string): unknown {
    const found =
      pkg === "bpmnlint"
        ? bpmnlintConfigs[configName]
        : pkg === PLUGIN_PACKAGE
          ? (configs as Record<string, unknown>)[configName]
          : undefined;
    if (!found) throw new Error(`unknown configuration "${configName}" in "${pkg}"`);
    return found;
  }
}
