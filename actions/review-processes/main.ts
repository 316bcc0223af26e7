import * as core from "@actions/core";
import { UserError } from "#core/util/errors.js";
import { run } from "./review.js";

run().catch((error: unknown) => {
  if (error instanceof UserError) {
    core.setFailed([error.message, ...error.details.map((d) => `  ${d}`)].join("\n"));
    return;
  }
  core.setFailed(
    `The process review failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
  );
});
