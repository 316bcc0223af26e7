/** Options of `camunda-gitops release` / `plan` and the release-processes action. */
import { z } from "zod";
import { flag, requiredText, text } from "./rules.js";

export const releaseOptions = z
  .object({
    environment: requiredText(),
    ref: text(),
    "dry-run": flag({ default: false }),
    smoke: flag({ default: false }),
    migrate: flag({ default: false }),
    "expected-plan-digest": text(),
    "allow-revocations": flag({ default: false }),
    "allow-unmerged": flag({ default: false }),
    "allow-dirty": flag({ default: false }),
  })
  .check((ctx) => {
    const o = ctx.value;
    if (o.smoke && o["dry-run"]) {
      ctx.issues.push({
        code: "custom",
        input: o,
        path: ["smoke"],
        message: "needs a deployment and cannot be combined with {dry-run}",
      });
    }
    if (o["allow-unmerged"] && o.ref === undefined) {
      ctx.issues.push({
        code: "custom",
        input: o,
        path: ["allow-unmerged"],
        message: "only applies to a release from a ref and needs {ref}",
      });
    }
    if (o["expected-plan-digest"] !== undefined && !/^[0-9a-f]{16}$/.test(o["expected-plan-digest"])) {
      ctx.issues.push({
        code: "custom",
        input: o,
        path: ["expected-plan-digest"],
        message: `must be a plan digest (16 hex digits, the plan-digest output), got "${o["expected-plan-digest"]}"`,
      });
    }
  })
  .transform((o) => ({
    environment: o.environment,
    ref: o.ref,
    dryRun: o["dry-run"],
    smoke: o.smoke,
    migrate: o.migrate,
    expectedPlanDigest: o["expected-plan-digest"],
    allowRevocations: o["allow-revocations"],
    allowUnmerged: o["allow-unmerged"],
    allowDirty: o["allow-dirty"],
  }));

export type ReleaseOptions = z.output<typeof releaseOptions>;
