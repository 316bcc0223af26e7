import type { XmlElement } from "#core/lint/engine/xml.js";
import type { FormIndex } from "#core/lint/forms.js";
import type { ImportWarning, ModdleElement } from "#core/lint/parse.js";
import type { SourceMap } from "#core/lint/source-map.js";
import type { FileKind } from "#core/lint/types.js";

/** Where a topic, process or decision is used or defined: for messages and project-level findings. */
export interface Occurrence {
  file: string;
  elementId: string;
}

/** What every rule may know about the repository beyond the file it looks at. */
export interface ProjectIndex {
  /** Process ids (= process definition keys) defined in the repository's BPMN files. */
  processIds: Map<string, Occurrence[]>;
  /** Decision ids (= decision definition keys) defined in the repository's DMN files. */
  decisionIds: Map<string, Occurrence[]>;
  /** External task topics the repository's BPMN files use (expressions excluded). */
  topicsUsed: Map<string, Occurrence[]>;
  /** The repository's Camunda Forms (.form files beside the models), by form key and by file. */
  forms: Pick<FormIndex, "byKey" | "byFile">;
}

export interface TopicRegistry {
  /** Registry source file, relative to the repository root, for findings about unused topics. */
  file: string;
  /** The registry's source text, to point an unused-topic finding at the topic's line. */
  text: string | null;
  topics: ReadonlySet<string>;
}

export interface CurrentFile {
  /** Path relative to the repository root. */
  path: string;
  kind: FileKind;
  root: ModdleElement;
  sourceMap: SourceMap;
  importWarnings: readonly ImportWarning[];
  /** The element tree as the engine reads it (BPMN files only). */
  tree: XmlElement | null;
  /** False for files the configuration marks as not meant for release (examples, test models). */
  releasable: boolean;
}

/**
 * The run-wide context the resolver hands to the project's rules. `file` is set by the linter before
 * it applies the rules to each file; rules run synchronously, one file at a time.
 */
export interface RuleContext {
  file: CurrentFile;
  index: ProjectIndex;
  /** Null when the registry could not be loaded; topic rules then stay silent and the linter says why. */
  registry: TopicRegistry | null;
}
