/** Options of `camunda-gitops deploy` and the codedeploy-deploy action. */
import { z } from "zod";
import { choice, flag, requiredText, text, wholeNumber } from "./rules.js";

export const fileExistsBehaviors = ["DISALLOW", "OVERWRITE", "RETAIN"] as const;

/**
 * Polling CodeDeploy faster than every 5 s buys nothing (lifecycle hooks take seconds to minutes) and
 * spends the account's GetDeployment rate, which other pipelines share.
 */
export const minimumPollIntervalSeconds = 5;

export const deployOptions = z
  .object({
    environment: requiredText(),
    bucket: text(),
    key: text(),
    etag: text(),
    "version-id": text(),
    "timeout-minutes": wholeNumber({ min: 1, max: 24 * 60, default: 30 }),
    "rollback-timeout-minutes": wholeNumber({ min: 1, max: 24 * 60, default: 15 }),
    "poll-interval-seconds": wholeNumber({ min: minimumPollIntervalSeconds, max: 600, default: 15 }),
    "if-active": choice(["wait", "fail"] as const, { default: "wait" }),
    "active-wait-minutes": wholeNumber({ min: 0, max: 24 * 60, default: 15 }),
    "file-exists-behavior": choice(fileExistsBehaviors, { default: "OVERWRITE", caseInsensitive: true }),
    "ignore-application-stop-failures": flag({ default: false }),
    "stop-on-timeout": flag({ default: true }),
  })
  .check((ctx) => {
    const o = ctx.value;
    if (Boolean(o.bucket) !== Boolean(o.key)) {
      ctx.issues.push({
        code: "custom",
        input: o,
        path: ["bucket"],
        message: "and {key} go together; give both or neither",
      });
    } else if (o.key && !o.key.endsWith(".zip")) {
      ctx.issues.push({ code: "custom", input: o, path: ["key"], message: `${o.key} is not a .zip bundle` });
    }
  })
  .transform((o) => ({
    environment: o.environment,
    revision:
      o.bucket && o.key
        ? { bucket: o.bucket, key: o.key, etag: o.etag, versionId: o["version-id"] }
        : undefined,
    timeoutMs: o["timeout-minutes"] * 60_000,
    rollbackTimeoutMs: o["rollback-timeout-minutes"] * 60_000,
    intervalMs: o["poll-interval-seconds"] * 1000,
    whenActive: o["if-active"],
    activeWaitMs: o["active-wait-minutes"] * 60_000,
    fileExistsBehavior: o["file-exists-behavior"],
    ignoreApplicationStopFailures: o["ignore-application-stop-failures"],
    stopOnTimeout: o["stop-on-timeout"],
  }));

export type DeployOptions = z.output<typeof deployOptions>;
