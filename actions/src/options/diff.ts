/** Options of `camunda-gitops diff` (the review-processes action's are in review.ts). */
import { z } from "zod";
import { choice, flag, text } from "./rules.js";

export const DIFF_FORMATS = ["text", "markdown", "json", "html"] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export const diffOptions = z
  .object({
    base: text(),
    head: text(),
    format: choice(DIFF_FORMATS, { default: "text" }),
    out: text(),
    "no-pictures": flag({ default: false }),
    environment: text(),
    verbose: flag({ default: false }),
  })
  .transform((o) => ({
    base: o.base,
    head: o.head,
    format: o.format,
    out: o.out,
    pictures: !o["no-pictures"],
    environment: o.environment,
    verbose: o.verbose,
  }));
