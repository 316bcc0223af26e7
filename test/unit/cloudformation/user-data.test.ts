/**
 * The engine hosts' user data (a bash script inside the app template's Fn::Sub): it parses, passes
 * shellcheck (from .venv/tools), installs what the CodeDeploy lifecycle scripts need, and reports its
 * exit status to CloudFormation.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { repoPath } from "../../support/repo.js";
import { parseTemplate } from "./templates.js";

const shellcheck = repoPath(".venv", "tools", "bin", "shellcheck");

function userData(): string {
  const app = parseTemplate(repoPath("cloudformation", "app.yaml"));
  const data = app.Resources.LaunchTemplate?.Properties?.LaunchTemplateData as {
    UserData: { "Fn::Base64": { "Fn::Sub": [string, Record<string, unknown>] } };
  };
  const [script, variables] = data.UserData["Fn::Base64"]["Fn::Sub"];
  // Every ${Name} must be a template parameter, a resource, a pseudo parameter or a Sub variable;
  // anything else would be a bash variable that CloudFormation rejects.
  const known = new Set([
    ...Object.keys(app.Parameters),
    ...Object.keys(app.Resources),
    ...Object.keys(variables),
  ]);
  for (const match of script.matchAll(/\$\{([^}!]+)\}/g)) {
    const name = match[1] ?? "";
    assert.ok(
      name.startsWith("AWS::") || known.has(name),
      `user data refers to \${${name}}, which CloudFormation does not know`,
    );
  }
  return script.replace(/\$\{([A-Za-z0-9:]+)\}/g, "placeholder");
}

describe("engine host user data", () => {
  test("is valid bash and passes shellcheck", () => {
    const script = userData();
    const syntax = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
    assert.equal(syntax.status, 0, syntax.stderr);
    assert.ok(existsSync(shellcheck), `${shellcheck} is missing; run scripts/setup-tools.sh`);
    const lint = spawnSync(shellcheck, ["--shell=bash", "--severity=style", "-"], {
      input: script,
      encoding: "utf8",
    });
    assert.equal(lint.status, 0, lint.stdout);
  });

  test("installs docker, the compose plugin, the aws CLI's companions and the CodeDeploy agent, and signals", () => {
    const script = userData();
    assert.match(script, /^set -euo pipefail$/m);
    assert.match(script, /dnf install -y .*docker/);
    assert.match(script, /docker-compose-linux-\$arch\.sha256/);
    assert.match(script, /sha256sum --check/);
    assert.match(script, /codedeploy-install auto/);
    assert.match(script, /trap 'signal \$\?' EXIT/);
    assert.match(script, /cfn-signal --exit-code/);
    assert.doesNotMatch(script, /set -x|--password[ =]|echo "\$PGPASSWORD/);
  });

  test("never touches the database credentials, and installs the RDS certificate authorities for verify-full", () => {
    const script = userData();
    // The data stack's provisioning function creates Camunda's database user; a host reads only
    // its own settings, at deployment time (deploy/scripts/install.sh).
    assert.doesNotMatch(script, /secretsmanager|MasterSecret|PGPASSWORD|psql/);
    assert.match(
      script,
      /https:\/\/truststore\.pki\.rds\.amazonaws\.com\/placeholder\/placeholder-bundle\.pem/,
    );
    assert.match(script, /openssl crl2pkcs7 -nocrl -certfile \/tmp\/rds-ca\.pem/);
    assert.match(script, /install -m 0644 \/tmp\/rds-ca\.pem \/etc\/camunda-platform\/rds-ca\.pem/);
  });
});
