/**
 * What `camunda-gitops diff` finds. `DiffReport`, `FileDiff` and `Change` carry the fields of the
 * `diff --format json` contract (other tools read it, so the JSON writer picks exactly those fields);
 * the optional fields marked "not in the JSON contract" feed the Markdown, HTML and picture renderers.
 */

export type ModelKind = "bpmn" | "dmn";
export type FileStatus = "added" | "removed" | "changed";
/**
 * `layout` is every change that alters no behaviour: a moved shape, a re-routed edge, the saving tool's
 * version, reformatting, the order of rules where the hit policy ignores it.
 */
export type ChangeType = "added" | "removed" | "changed" | "layout";

export interface Change {
  /** The element the change is about (a rule id for a DMN entry, the definitions id for file-wide metadata). */
  elementId: string;
  type: ChangeType;
  /** What changed on the element (`camunda:topic`, `timerEventDefinition.timeDuration`, a DMN column label); null for a whole element. */
  property: string | null;
  before: string | null;
  after: string | null;
  /** Running instances may need a migration plan (or get stranded) because of this change. */
  migrationRelevant: boolean;
  /** One sentence a business reviewer can read. */
  message: string;
  /** Not in the JSON contract: element type ("service task") and name, for tables and pictures. */
  elementType?: string;
  elementName?: string | null;
  /** Not in the JSON contract: the process (BPMN) or decision (DMN) the element belongs to. */
  container?: string | null;
  /** Not in the JSON contract: for a probable rename, the id the element had before. */
  previousId?: string;
  /** Not in the JSON contract: running instances waiting in the element, when an environment was asked. */
  runningInstances?: number;
}

/** One row of a decision table as the HTML report shows it. */
export interface TableRowView {
  id: string;
  status: "added" | "removed" | "changed" | "moved" | "same";
  /** 1-based positions; null on the side where the rule does not exist. */
  before: number | null;
  after: number | null;
  /** One cell per column of `TableView.columns`: text before and after (null where the column or rule is absent). */
  cells: Array<{ before: string | null; after: string | null }>;
}

export interface TableView {
  decisionId: string;
  decisionName: string | null;
  hitPolicy: { before: string | null; after: string | null };
  columns: Array<{
    id: string;
    kind: "input" | "output" | "annotation";
    label: string;
    status: "added" | "removed" | "changed" | "same";
  }>;
  rows: TableRowView[];
  /** True when the hit policy makes the row order part of the result (FIRST, RULE ORDER). */
  orderMatters: boolean;
}

export interface FileDiff {
  /** Path relative to the repository root, forward slashes. */
  file: string;
  kind: ModelKind;
  status: FileStatus;
  /** The file changed, but nothing the engine executes did. */
  layoutOnly: boolean;
  changes: Change[];
  /** Not in the JSON contract: the model text on each side (null where the file does not exist), for pictures. */
  sources?: { before: string | null; after: string | null };
  /** Not in the JSON contract: decision tables side by side (DMN). */
  tables?: TableView[];
  /** Not in the JSON contract: the path before a rename. */
  previousFile?: string;
  /** Not in the JSON contract: why the file could not be compared (not XML, …); changes is then empty. */
  problem?: string;
}

export interface DiffReport {
  /** Commit sha of the base. */
  base: string;
  /** Commit sha of the head, or WORKTREE for the working tree. */
  head: string;
  files: FileDiff[];
}

export const WORKTREE = "WORKTREE";
