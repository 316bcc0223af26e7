/**
 * One review, as the pull request job and `camunda-gitops diff --out` make it: the diff of the model
 * files, the running instances of one environment when asked (a failure there is a note, not the end
 * of the review), and the report folder. The caller decides where the Markdown goes.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { UserError } from "#core/util/errors.js";
import { formatMarkdown } from "./format/markdown.js";
import { type Totals, totals } from "./format/order.js";
import { type OutputResult, writeReviewOutputs } from "./output.js";
import { type DiffOptions, diffRepository } from "./repository.js";
import { addRunningInstances } from "./running.js";
import type { DiffReport } from "./types.js";

export interface EngineAccess {
  environment: string;
  /** Connects lazily: a bad environment file or missing credentials become a note in the review. */
  connect(): { client: CamundaClient; tenantId: string | null };
}

export interface ReviewRequest extends DiffOptions {
  /** The checkout whose node_modules hold bpmn-js and playwright-core. */
  toolRoot: string;
  outDir: string;
  pictures?: boolean;
  browserPath?: string | null;
  engine?: EngineAccess | null;
  /** Where the report folder will be found (e.g. the workflow run's artifacts), linked from the Markdown. */
  reportUrl?: string | null;
  onProgress?: (line: string) => void;
  onWarning?: (line: string) => void;
}

export interface Review {
  report: DiffReport;
  totals: Totals;
  /** The running-instances line, when an environment was asked. */
  note: string | null;
  output: OutputResult;
  markdown(marker?: string): string;
}

async function runningNote(
  report: DiffReport,
  engine: EngineAccess,
  warn: (line: string) => void,
): Promise<string> {
  try {
    const { client, tenantId } = engine.connect();
    return await addRunningInstances(report, { environment: engine.environment, client, tenantId });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    warn(`Running instances in ${engine.environment} were not counted: ${error.message}`);
    return `Running instances in ${engine.environment} could not be counted: ${error.message}`;
  }
}

export async function review(request: ReviewRequest): Promise<Review> {
  const progress = request.onProgress ?? (() => {});
  const warn = request.onWarning ?? progress;
  const report = await diffRepository(request);
  const t = totals(report);
  progress(
    `${t.files} model file(s) changed, ${t.changes} behaviour change(s), ${t.migrationRelevant} migration-relevant`,
  );
  const note = request.engine ? await runningNote(report, request.engine, warn) : null;
  const output = await writeReviewOutputs(report, {
    outDir: request.outDir,
    toolRoot: request.toolRoot,
    pictures: request.pictures ?? true,
    browserPath: request.browserPath ?? null,
    note,
    onProgress: progress,
  });
  for (const line of output.notes) warn(line);
  return {
    report,
    totals: t,
    note,
    output,
    markdown: (marker) =>
      formatMarkdown(report, { ...(marker ? { marker } : {}), note, reportUrl: request.reportUrl ?? null }),
  };
}
