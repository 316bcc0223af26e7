/**
 * Before the deployment the engine cannot be asked (its migration plan needs the new definition's id),
 * so the plan predicts what it will say: an activity maps to the activity with the same id, or to the
 * one declared in processes/migrations/<key>.yaml, when both have the same behaviour, the same
 * multi-instance shape and corresponding scopes — the checks of Camunda's instruction generator and
 * validators. Then every activity an instance waits in must be covered (the completeness check the
 * engine leaves to the caller). After the deployment the release asks the engine and trusts it.
 */
import type { Change } from "#core/diff/types.js";
import { type DeclaredInstructions, updatesTrigger } from "./instructions.js";
import type { FlowNode, ProcessModel } from "./model.js";
import type { ActiveActivity } from "./running.js";

export const MI_BODY = "#multiInstanceBody";

export interface ActivityCoverage extends ActiveActivity {
  /** The activity it moves to, or null when it cannot move. */
  mappedTo: string | null;
  /** Why it cannot move (null when it can). */
  problem: string | null;
}

export interface Coverage {
  activities: ActivityCoverage[];
  /** Things that migrate but behave differently afterwards (timers keeping their old due date, …). */
  warnings: string[];
  /** Mistakes in the declared file (an id that exists in neither version, …). */
  declarationErrors: string[];
  /** True when every activity an instance waits in is covered. */
  complete: boolean;
}

/** Where the source node `id` goes, and why not when it cannot. */
export interface Mapping {
  target: FlowNode | null;
  declared: boolean;
  problem: string | null;
}

/** "a user task", "an external task". */
function article(words: string): string {
  return `${/^[aeiou]/i.test(words) ? "an" : "a"} ${words}`;
}

function describe(node: FlowNode): string {
  return `${node.id}${node.name ? ` "${node.name}"` : ""}`;
}

export class Mapper {
  constructor(
    readonly source: ProcessModel,
    readonly target: ProcessModel,
    readonly declared: DeclaredInstructions | null,
    private readonly file: string,
  ) {}

  /** The target id for a source id: declared, else the same id when the target has it. */
  targetId(sourceId: string): string | null {
    const declared = this.declared?.activities[sourceId];
    if (declared) return declared;
    return this.target.nodes.has(sourceId) ? sourceId : null;
  }

  map(sourceId: string): Mapping {
    const source = this.source.nodes.get(sourceId);
    const declared = this.declared?.activities[sourceId] !== undefined;
    const targetId = this.targetId(sourceId);
    const target = targetId ? (this.target.nodes.get(targetId) ?? null) : null;
    if (!source) return { target: null, declared, problem: `${sourceId} is not in the deployed version` };
    if (!target) {
      return {
        target: null,
        declared,
        problem: declared
          ? `${this.file} maps ${sourceId} to ${targetId}, which the new version does not have`
          : `${describe(source)} is not in the new version (removed or renamed): declare where its instances go under activities in ${this.file}`,
      };
    }
    if (source.behaviour !== target.behaviour) {
      return {
        target: null,
        declared,
        problem: `${describe(source)} is ${article(source.behaviour)} and ${target.id} in the new version ${article(target.behaviour)}: the engine moves instances only between activities of the same kind`,
      };
    }
    if (source.multiInstance !== target.multiInstance) {
      return {
        target: null,
        declared,
        problem: `${describe(source)} ${source.multiInstance ? "is no longer" : "became"} multi-instance: the engine cannot add or remove a multi-instance body`,
      };
    }
    const scope = source.scope ? this.targetId(source.scope) : null;
    if (scope !== target.scope) {
      return {
        target: null,
        declared,
        problem: `${describe(source)} sits in ${source.scope ?? "the process"} and ${target.id} in ${target.scope ?? "the process"}: map the scopes too`,
      };
    }
    if (source.attachedTo && this.targetId(source.attachedTo) !== target.attachedTo) {
      return {
        target: null,
        declared,
        problem: `${describe(source)} is attached to ${source.attachedTo}, which does not map to ${target.attachedTo ?? "anything"}`,
      };
    }
    return { target, declared, problem: null };
  }
}

/** Changes of an event's trigger (timer duration, message name …) by element id, from the review's diff. */
export function triggerChanges(changes: Change[]): Map<string, Change[]> {
  const byId = new Map<string, Change[]>();
  for (const change of changes) {
    const first = change.property?.split(".")[0] ?? "";
    if (change.type !== "changed" || !/EventDefinition$/.test(first)) continue;
    byId.set(change.elementId, [...(byId.get(change.elementId) ?? []), change]);
  }
  return byId;
}

function checkDeclarations(mapper: Mapper, file: string): string[] {
  const errors: string[] = [];
  for (const [from, to] of Object.entries(mapper.declared?.activities ?? {})) {
    if (!mapper.source.nodes.has(from) && !mapper.target.nodes.has(to)) {
      errors.push(
        `${file}: activities.${from}: neither ${from} (old) nor ${to} (new) exists in ${mapper.target.key}`,
      );
    } else if (!mapper.target.nodes.has(to)) {
      errors.push(`${file}: activities.${from}: the new version has no ${to}`);
    }
  }
  return errors;
}

/** The completeness check: every activity an instance waits in maps somewhere the engine accepts. */
export function coverage(
  mapper: Mapper,
  active: ActiveActivity[],
  diffChanges: Change[],
  file: string,
): Coverage {
  const activities: ActivityCoverage[] = [];
  const warnings: string[] = [];
  const triggers = triggerChanges(diffChanges);
  const warnTrigger = (source: FlowNode, target: FlowNode) => {
    const changed = triggers.get(target.id) ?? triggers.get(source.id);
    if (!changed || updatesTrigger(mapper.declared, source.id, target.id)) return;
    const what = changed
      .map((c) => `${c.property} ${c.before ?? "(none)"} → ${c.after ?? "(none)"}`)
      .join(", ");
    warnings.push(
      `${describe(source)}: ${what}; migrated instances keep the old trigger unless ${file} lists ${target.id} under updateEventTriggers`,
    );
  };

  for (const entry of active) {
    const body = entry.id.endsWith(MI_BODY);
    const sourceId = body ? entry.id.slice(0, -MI_BODY.length) : entry.id;
    const mapping = mapper.map(sourceId);
    let problem = mapping.problem;
    const target = mapping.target;
    const source = mapper.source.nodes.get(sourceId);
    if (!problem && source && target) {
      if (source.asyncBefore && !target.asyncBefore) {
        problem = `${describe(source)} waits for an asynchronous continuation before it, which ${target.id} no longer has`;
      } else if (source.asyncAfter && !target.asyncAfter) {
        problem = `${describe(source)} has an asynchronous continuation after it, which ${target.id} no longer has`;
      }
      for (const event of source.following) {
        const mapped = mapper.map(event);
        if (!problem && (!mapped.target || !target.following.includes(mapped.target.id))) {
          problem = `the event ${event} after ${describe(source)} ${mapped.problem ? `cannot move (${mapped.problem})` : `does not follow ${target.id} in the new version`}`;
        }
        if (mapped.target) {
          const eventSource = mapper.source.nodes.get(event);
          if (eventSource) warnTrigger(eventSource, mapped.target);
        }
      }
      if (source.trigger) warnTrigger(source, target);
      // Boundary events of a waiting activity carry its timers and subscriptions.
      for (const boundary of mapper.source.nodes.values()) {
        if (boundary.attachedTo !== sourceId) continue;
        const mapped = mapper.map(boundary.id);
        if (mapped.target) warnTrigger(boundary, mapped.target);
        else
          warnings.push(
            `${describe(boundary)} on ${sourceId} does not move (${mapped.problem}); migrated instances lose it`,
          );
      }
    }
    activities.push({
      ...entry,
      mappedTo: problem || !target ? null : body ? `${target.id}${MI_BODY}` : target.id,
      problem,
    });
  }
  const declarationErrors = checkDeclarations(mapper, file);
  return {
    activities,
    warnings: [...new Set(warnings)],
    declarationErrors,
    complete: activities.every((a) => a.problem === null) && declarationErrors.length === 0,
  };
}
