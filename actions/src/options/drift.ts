/** Options of `camunda-gitops drift` and the check-drift action. */
import { z } from "zod";
import { flag, requiredText, text } from "./rules.js";

export const driftOptions = z
  .object({
    environment: requiredText(),
    ref: text(),
    /** Action only: keep one GitHub issue per environment open while it drifts. */
    issue: flag({ default: true }),
  })
  .transform((o) => ({ environment: o.environment, ref: o.ref, issue: o.issue }));

export type DriftOptions = z.output<typeof driftOptions>;
