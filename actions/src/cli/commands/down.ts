import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { down } from "#core/platform/down.js";

export const command: Command = {
  help: `Usage: camunda-gitops down   (npm run stop)

Stops exactly what \`camunda-gitops up\` started: the workers (gracefully: running tasks finish or are
unlocked), the metrics exporter, and the engine if \`up\` started it. An engine started with
\`camunda-gitops engine start\` is left running. Data (H2 files, credentials) stays in .local/. Each
stop is shown as it happens.

Exit codes: 0 stopped or nothing to stop, 1 failure, 2 usage error.`,
  async run(argv, { root }) {
    parseCommandArgs("down", argv, {});
    const result = await down(root);
    if (
      result.workers === "not running" &&
      result.exporter === "not running" &&
      result.engine === "not running"
    ) {
      console.log("Nothing to stop: the platform of this checkout is not running.");
      return 0;
    }
    console.log(`workers: ${result.workers}`);
    console.log(`metrics: ${result.exporter}`);
    console.log(`engine:  ${result.engine}`);
    return 0;
  },
};
