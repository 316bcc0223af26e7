import { localCredentialsFile, resolveCamundaCredentials } from "#core/camunda/credentials.js";
import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { upOptions } from "#core/options/platform.js";
import { cliNames, parseOptions } from "#core/options/rules.js";
import { formatStatus, readPlatformStatus } from "#core/platform/status.js";
import { up } from "#core/platform/up.js";
import { displayPath } from "#core/util/paths.js";

const help = `Usage: camunda-gitops up [--db h2|postgres] [--port N] [--samples N]   (npm start)

Runs the whole insurance platform on this machine:
  1. builds (if needed) and starts the local Camunda 7.23 engine (H2 by default);
  2. releases processes/ to the "local" environment with the same release code as CI, with the
     groups, users (workers, demo underwriters), grants and Tasklist filters of environments/local.yaml;
  3. starts the external task workers in the background as the workers user (log:
     .local/platform/workers.log);
  4. starts the metrics exporter in the background (http://127.0.0.1:9465/metrics, log:
     .local/platform/metrics.log); the engine's JVM metrics are on http://127.0.0.1:9404/metrics;
  5. submits sample applications from processes/examples/ (green, yellow, red, incomplete);
then prints the Cockpit, Tasklist and REST URLs, the login, what is running and what waits.
Running it again while the platform is up only prints the status. Stop it with \`npm run stop\`.

Options:
  --db <h2|postgres>  database of the engine; postgres needs SPRING_DATASOURCE_URL, _USERNAME, _PASSWORD
  --port <N>          engine port (default 8080)
  --samples <N>       sample applications to submit (default 4; 0 for none)

Exit codes: 0 up, 1 something failed (and what this run started was stopped again), 2 usage error.`;

export const command: Command = {
  help,
  async run(argv, { root }) {
    const { values } = parseCommandArgs("up", argv, {
      db: { type: "string" },
      port: { type: "string" },
      samples: { type: "string" },
    });
    const { db, port, samples } = parseOptions(upOptions, values, cliNames("up"));
    const result = await up({ root, db, ...(port ? { port } : {}), samples });
    if (result.alreadyRunning)
      console.log("The platform is already running (stop it with `npm run stop`).\n");
    else if (result.samples.length > 0) {
      console.log(`\nSubmitted ${result.samples.length} sample application(s):`);
      for (const s of result.samples) console.log(`  ${s.businessKey}  (${s.example})`);
      console.log("");
    }
    const localFile = localCredentialsFile(root);
    const credentials = resolveCamundaCredentials({ environmentName: "local", localFile });
    const status = await readPlatformStatus({
      root,
      credentials: {
        ...credentials,
        where: credentials.source.includes("/") ? credentials.source : displayPath(localFile),
      },
    });
    console.log(formatStatus(status));
    if (!result.alreadyRunning && result.people.users.length > 0) {
      console.log(
        `\nTasklist users (passwords in ${result.people.passwordsWhere}): ${result.people.users
          .map((u) => `${u.id} (${u.groups.join(", ")})`)
          .join(", ")}`,
      );
      console.log(`Workers log in as: ${result.workersUser}`);
    }
    return 0;
  },
};
