/** Options of `camunda-gitops lint` and the lint-processes action. */
import { z } from "zod";
import { FORMATS } from "#core/lint/format/index.js";
import { type LintReport, reportFails } from "#core/lint/index.js";
import { choice, optionalWholeNumber, text } from "./rules.js";

export const failOnLevels = ["error", "warning", "never"] as const;

export const lintOptions = z
  .object({
    config: text(),
    format: choice(FORMATS, { default: "text" }),
    /** When findings fail the run: any error (default), any error or warning, or never. */
    "fail-on": choice(failOnLevels, { default: "error" }),
    /** More warnings than this fail the run; unset means warnings fail only with fail-on warning. */
    "max-warnings": optionalWholeNumber({ min: 0 }),
  })
  .transform((o) => ({
    configFile: o.config,
    format: o.format,
    failOn: o["fail-on"],
    maxWarnings: o["max-warnings"] ?? (o["fail-on"] === "warning" ? 0 : -1),
  }));

export type LintRunOptions = z.output<typeof lintOptions>;

/** Whether a report fails the run under these options. */
export function lintFails(report: LintReport, options: LintRunOptions): boolean {
  return options.failOn !== "never" && reportFails(report, options.maxWarnings);
}
