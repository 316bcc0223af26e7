/**
 * Container entry point: reads the configuration from the environment, runs the workers until
 * SIGTERM/SIGINT, exits 0 after a clean stop. A configuration error is one sentence and exit 2.
 */
import { UserError } from "#core/util/errors.js";
import { loadWorkerConfig } from "./runtime/config.js";
import { runWorkers } from "./runtime/run.js";

async function main(): Promise<number> {
  try {
    const running = await runWorkers(loadWorkerConfig());
    const report = await running.finished;
    return report.leftLocked > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UserError) {
      console.error(`error: ${error.message}`);
      return error.exitCode;
    }
    console.error(`error: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    return 1;
  }
}

// Exit explicitly: idle keep-alive sockets to the engine must not hold a stopped worker open.
process.exit(await main());
