/** Options of the review-processes action (and their twins in `camunda-gitops diff`). */
import { z } from "zod";
import { flag, text } from "./rules.js";

export const reviewOptions = z
  .object({
    base: text(),
    "report-dir": text(),
    pictures: flag({ default: true }),
    comment: flag({ default: true }),
    environment: text(),
  })
  .transform((o) => ({
    base: o.base,
    reportDir: o["report-dir"],
    pictures: o.pictures,
    comment: o.comment,
    environment: o.environment,
  }));

export type ReviewOptions = z.output<typeof reviewOptions>;
