import { localCredentialsFile, resolveCamundaCredentials } from "#core/camunda/credentials.js";
import { type Command, parseCommandArgs } from "#core/cli/command.js";
import { formatStatus, readPlatformStatus } from "#core/platform/status.js";

export const command: Command = {
  help: `Usage: camunda-gitops status [--format text|json]

Prints the local platform's status: Cockpit, Tasklist and REST URLs and the login, the workers,
deployed definitions with their versions and running/completed instances, open user tasks and incidents.

Exit codes: 0 printed (also when nothing runs), 2 usage error.`,
  async run(argv, { root }) {
    const { values } = parseCommandArgs("status", argv, { format: { type: "string" } });
    let credentials: { username: string; password: string; where: string } | undefined;
    try {
      const found = resolveCamundaCredentials({
        environmentName: "local",
        localFile: localCredentialsFile(root),
      });
      credentials = { ...found, where: found.source };
    } catch {
      credentials = undefined; // no engine was ever started here: the status says so
    }
    const status = await readPlatformStatus({ root, ...(credentials ? { credentials } : {}) });
    if (values.format === "json") console.log(JSON.stringify(status, null, 2));
    else console.log(formatStatus(status));
    return 0;
  },
};
