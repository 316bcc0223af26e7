/**
 * Like bin/camunda-gitops.mjs, but for the checkout named by the first argument: tests hand the CLI a
 * temporary repository with its own environments/ and processes/.
 */
import { main } from "#core/cli/main.js";

const [root, ...argv] = process.argv.slice(2);
if (!root) {
  console.error("usage: cli-entry.ts <root> <verb> [options]");
  process.exit(2);
}
process.exitCode = await main(argv, { root });
