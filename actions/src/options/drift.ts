/** Options of `camunda-gitops drift` and the check-drift action. */
import { z } from "zod";
import { choice, flag, requiredText, text } from "./rules.js";

export const DRIFT_FORMATS = ["text", "json", "markdown"] as const;

/** What both adapters share: which environment, compared with which commit. */
const driftTarget = {
  environment: requiredText(),
  ref: text(),
};

export const driftOptions = z
  .object({
    ...driftTarget,
    /** Action only: keep one GitHub issue per environment open while it drifts. */
    issue: flag({ default: true }),
  })
  .transform((o) => ({ environment: o.environment, ref: o.ref, issue: o.issue }));

export type DriftOptions = z.output<typeof driftOptions>;

/** The CLI verb prints the report instead of keeping an issue. */
export const driftCliOptions = z.object({
  ...driftTarget,
  format: choice(DRIFT_FORMATS, { default: "text" }),
});
