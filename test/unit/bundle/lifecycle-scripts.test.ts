/**
 * The lifecycle scripts, run from an extracted bundle in the order CodeDeploy runs them, against
 * stub `docker`, `aws` and `curl` commands on PATH that record every call. No Docker engine or AWS
 * account is involved; what is checked is what the scripts ask of them and what they write.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildBundle } from "#core/bundle/build.js";
import { repoPath, repoRoot } from "../../support/repo.js";
import { readCentralDirectory } from "./zip-reader.js";

// Under /tmp on purpose: before-install.sh only empties install directories under /opt, /srv or /tmp.
const work = mkdtempSync("/tmp/lifecycle-");
after(() => rmSync(work, { recursive: true, force: true }));

const stubs: Record<string, string> = {
  docker: `#!/usr/bin/env bash
printf 'docker %s\\n' "$*" >>"$STUB_CALLS"
case "$*" in
  "ps "*) if [[ -n "\${STUB_RUNNING:-}" ]]; then echo "$STUB_RUNNING"; fi ;;
  "compose version"*) echo "v2.29.7" ;;
  *" logs "*) echo "camunda-1  | ENGINE-STUB-LOG the engine could not reach the database" ;;
  *" ps --all"*) echo "camunda-1  Up 2 minutes (unhealthy)" ;;
esac
exit 0
`,
  aws: `#!/usr/bin/env bash
printf 'aws %s\\n' "$*" >>"$STUB_CALLS"
case "$1 $2" in
  "ssm get-parameters-by-path") cat "$STUB_DIR/ssm.txt" ;;
  "secretsmanager get-secret-value")
    while [[ $# -gt 0 && "$1" != "--secret-id" ]]; do shift; done
    cat "$STUB_DIR/secret-\${2##*:}.json" ;;
  *) echo "unexpected aws call: $*" >&2; exit 2 ;;
esac
`,
  // Docker's ECR credential helper: before-install.sh only checks it is there.
  "docker-credential-ecr-login": `#!/usr/bin/env bash
exit 0
`,
  curl: `#!/usr/bin/env bash
url=""; config=""
for arg in "$@"; do [[ "$arg" == http* ]] && url=$arg; done
if [[ " $* " == *" --config - "* ]]; then config=$(cat); printf '%s\\n' "$config" >"$STUB_DIR/curl-config"; fi
printf 'curl %s%s\\n' "$url" "\${config:+ (credentials on stdin)}" >>"$STUB_CALLS"
case "$url" in
  */engine-rest/engine) printf '%s' "\${STUB_ENGINE_STATUS:-200}" ;;
  # validate.sh's demo data check: every READ granted, and no demo data.
  */engine-rest/authorization/check) printf '{"authorized":true}\\n200' ;;
  *engine-rest*) printf '[]\\n200' ;;
  *readyz*) printf '%s' "\${STUB_WORKERS_STATUS:-200}" ;;
esac
`,
};

let bundleDir = "";
let hooks: { event: string; location: string }[] = [];

/** The digest of the workers image CI pushed, as the deploy workflow passes it to package. */
const workersDigest = `sha256:${"ab".repeat(32)}`;
const workersRepository = "111111111111.dkr.ecr.eu-west-2.amazonaws.com/camunda-test/workers";

before(async () => {
  const built = await buildBundle({
    root: repoRoot,
    out: path.join(work, "bundle.zip"),
    workersImageDigest: workersDigest,
  });
  hooks = built.hooks;
  bundleDir = path.join(work, "archive");
  // Extract, then apply the modes stored in the zip: the scripts run with exactly the bits shipped.
  const unzip = spawnSync("python3", ["-m", "zipfile", "-e", built.file, bundleDir], { encoding: "utf8" });
  assert.equal(unzip.status, 0, unzip.stderr);
  for (const entry of readCentralDirectory(built.file))
    chmodSync(path.join(bundleDir, entry.name), entry.mode & 0o777);
});

interface Host {
  dir: string;
  appDir: string;
  envFile: string;
  calls: string;
  env: NodeJS.ProcessEnv;
}

function host(
  name: string,
  settings: { ssm: string; secrets?: Record<string, object> },
  extraEnv: NodeJS.ProcessEnv = {},
): Host {
  const dir = path.join(work, name);
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  for (const [command, body] of Object.entries(stubs)) {
    writeFileSync(path.join(bin, command), body);
    chmodSync(path.join(bin, command), 0o755);
  }
  writeFileSync(path.join(dir, "ssm.txt"), settings.ssm);
  for (const [id, value] of Object.entries(settings.secrets ?? {})) {
    writeFileSync(path.join(dir, `secret-${id}.json`), JSON.stringify(value));
  }
  const calls = path.join(dir, "calls.log");
  writeFileSync(calls, "");
  const appDir = path.join(dir, "opt", "camunda-platform");
  const envFile = path.join(dir, "etc", "runtime.env");
  return {
    dir,
    appDir,
    envFile,
    calls,
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: dir,
      STUB_DIR: dir,
      STUB_CALLS: calls,
      CAMUNDA_APP_DIR: appDir,
      CAMUNDA_ENV_FILE: envFile,
      DEPLOYMENT_GROUP_NAME: "camunda-test-engine",
      APPLICATION_NAME: "camunda-test",
      ...extraEnv,
    },
  };
}

function runHook(h: Host, event: string, root: string, env: NodeJS.ProcessEnv = {}) {
  const hook = hooks.find((x) => x.event === event);
  assert.ok(hook, `appspec has a ${event} hook`);
  return spawnSync(path.join(root, hook.location), [], {
    env: { ...h.env, LIFECYCLE_EVENT: event, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

const ssmText = [
  "/camunda-platform/camunda-test-engine/DB_HOST\tdb.cluster.internal",
  "/camunda-platform/camunda-test-engine/DB_NAME\tcamunda",
  "/camunda-platform/camunda-test-engine/DB_SECRET_ID\tarn:aws:secretsmanager:eu-west-2:000000000000:secret:db",
  "/camunda-platform/camunda-test-engine/WORKERS_DB_SECRET_ID\tarn:aws:secretsmanager:eu-west-2:000000000000:secret:workers",
  "/camunda-platform/camunda-test-engine/ADMIN_SECRET_ID\tadmin",
  "/camunda-platform/camunda-test-engine/WORKERS_CAMUNDA_SECRET_ID\tarn:aws:secretsmanager:eu-west-2:000000000000:secret:workerscamunda",
  "/camunda-platform/camunda-test-engine/MONITORING_CAMUNDA_SECRET_ID\tarn:aws:secretsmanager:eu-west-2:000000000000:secret:monitoring",
  `/camunda-platform/camunda-test-engine/WORKERS_REPOSITORY\t${workersRepository}`,
  "/camunda-platform/camunda-test-engine/lowercase_ignored\tx",
  "",
].join("\n");
const secrets = {
  db: { username: "camunda_app", password: "db$ecret with space" },
  workers: { username: "camunda_workers", password: "w0rker$-own" },
  admin: { username: "platform-admin", password: 'adm"in\\pw' },
  workerscamunda: { username: "workers", password: "w0rker$-camunda" },
  monitoring: { username: "monitoring", password: "m0nitor$-camunda" },
};

function callLines(h: Host): string[] {
  return readFileSync(h.calls, "utf8").split("\n").filter(Boolean);
}

describe("lifecycle scripts with stub docker, aws and curl", () => {
  test("the hooks run in CodeDeploy's order and each does its part", () => {
    assert.deepEqual(
      hooks.map((x) => x.event),
      ["ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"],
    );
    const h = host("happy", { ssm: ssmText, secrets });
    mkdirSync(h.appDir, { recursive: true });
    writeFileSync(path.join(h.appDir, "stale-from-old-revision.txt"), "old");

    // ApplicationStop runs the previous revision's script; here a platform is running.
    const stop = runHook(h, "ApplicationStop", bundleDir, { STUB_RUNNING: "3f2a1c9d" });
    assert.equal(stop.status, 0, stop.stderr);
    const beforeInstall = runHook(h, "BeforeInstall", bundleDir);
    assert.equal(beforeInstall.status, 0, beforeInstall.stderr);
    assert.equal(
      existsSync(path.join(h.appDir, "stale-from-old-revision.txt")),
      false,
      "old files are removed",
    );
    // Install: the agent copies the bundle to the appspec's destination.
    cpSync(bundleDir, h.appDir, { recursive: true });
    const install = runHook(h, "AfterInstall", h.appDir);
    assert.equal(install.status, 0, install.stderr);
    const start = runHook(h, "ApplicationStart", h.appDir);
    assert.equal(start.status, 0, start.stderr);
    const validate = runHook(h, "ValidateService", h.appDir);
    assert.equal(validate.status, 0, validate.stderr);

    const compose = `docker compose --project-name camunda-platform --project-directory ${h.appDir} --file ${h.appDir}/docker-compose.yml --env-file ${h.envFile}`;
    assert.deepEqual(callLines(h), [
      "docker ps --quiet --filter label=com.docker.compose.project=camunda-platform",
      "docker compose --project-name camunda-platform down --remove-orphans",
      "docker compose version",
      "docker compose version --short",
      "aws ssm get-parameters-by-path --path /camunda-platform/camunda-test-engine/ --recursive --with-decryption --query Parameters[].[Name,Value] --output text",
      "aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-2:000000000000:secret:db --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-2:000000000000:secret:db --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-2:000000000000:secret:workers --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-2:000000000000:secret:workers --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id admin --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id admin --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-2:000000000000:secret:workerscamunda --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-2:000000000000:secret:workerscamunda --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-2:000000000000:secret:monitoring --query SecretString --output text",
      "aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-2:000000000000:secret:monitoring --query SecretString --output text",
      `${compose} pull --quiet`,
      `${compose} up --detach --no-build --remove-orphans`,
      "curl http://127.0.0.1:8080/engine-rest/engine (credentials on stdin)",
      "curl http://127.0.0.1:9464/readyz",
      ...Array(5).fill("curl http://127.0.0.1:8080/engine-rest/authorization/check (credentials on stdin)"),
      ...["user", "group", "filter", "process-definition", "process-definition"]
        .concat(["decision-definition", "decision-definition"])
        .map((path) => `curl http://127.0.0.1:8080/engine-rest/${path} (credentials on stdin)`),
    ]);

    // The env file: secrets resolved, single-quoted (compose reads them literally), root-only.
    assert.equal(statSync(h.envFile).mode & 0o777, 0o600);
    assert.equal(
      readFileSync(h.envFile, "utf8"),
      [
        "CAMUNDA_ADMIN_PASSWORD='adm\"in\\pw'",
        "CAMUNDA_ADMIN_USER='platform-admin'",
        "DB_HOST='db.cluster.internal'",
        "DB_NAME='camunda'",
        "DB_PASSWORD='db$ecret with space'",
        "DB_USER='camunda_app'",
        "MONITORING_CAMUNDA_PASSWORD='m0nitor$-camunda'",
        "MONITORING_CAMUNDA_USER='monitoring'",
        "WORKERS_CAMUNDA_PASSWORD='w0rker$-camunda'",
        "WORKERS_CAMUNDA_USER='workers'",
        "WORKERS_DB_PASSWORD='w0rker$-own'",
        "WORKERS_DB_USER='camunda_workers'",
        `WORKERS_IMAGE='${workersRepository}@${workersDigest}'`,
        `WORKERS_REPOSITORY='${workersRepository}'`,
        "",
      ].join("\n"),
    );
    const printed = [stop, beforeInstall, install, start, validate]
      .map((r) => r.stdout + r.stderr)
      .join("\n");
    assert.doesNotMatch(printed, /db\$ecret|adm"in|w0rker|m0nitor/, "no secret value is ever printed");
    assert.match(
      install.stdout,
      /wrote 14 settings to .*: CAMUNDA_ADMIN_PASSWORD CAMUNDA_ADMIN_USER DB_HOST DB_NAME DB_PASSWORD DB_USER MONITORING_CAMUNDA_PASSWORD MONITORING_CAMUNDA_USER WORKERS_CAMUNDA_PASSWORD WORKERS_CAMUNDA_USER WORKERS_DB_PASSWORD WORKERS_DB_USER WORKERS_IMAGE WORKERS_REPOSITORY/,
    );
    assert.match(install.stdout, /ignoring parameter .*lowercase_ignored/);
    // curl got the credentials on stdin as a config line, escaped for curl's quoting rules.
    assert.equal(
      readFileSync(path.join(h.dir, "curl-config"), "utf8"),
      'user = "platform-admin:adm\\"in\\\\pw"\n',
    );
  });

  test("ApplicationStop succeeds when nothing runs yet (a fresh host, or no docker at all)", () => {
    const h = host("fresh", { ssm: "" });
    const idle = runHook(h, "ApplicationStop", bundleDir);
    assert.equal(idle.status, 0, idle.stderr);
    assert.match(idle.stdout, /nothing to stop/);
    assert.deepEqual(callLines(h), [
      "docker ps --quiet --filter label=com.docker.compose.project=camunda-platform",
    ]);

    // No docker on PATH: only the few commands the script needs besides it.
    const bare = path.join(h.dir, "bare-bin");
    mkdirSync(bare);
    for (const tool of ["bash", "dirname", "date"]) {
      const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(found, path.join(bare, tool));
    }
    const noDocker = runHook(h, "ApplicationStop", bundleDir, { PATH: bare });
    assert.equal(noDocker.status, 0, noDocker.stderr);
    assert.match(noDocker.stdout, /docker is not installed yet: nothing to stop/);
  });

  test("AfterInstall refuses to write an incomplete env file and names what is missing", () => {
    const h = host("missing", {
      ssm: "/camunda-platform/camunda-test-engine/DB_NAME\tcamunda\n",
    });
    cpSync(bundleDir, h.appDir, { recursive: true });
    const install = runHook(h, "AfterInstall", h.appDir);
    assert.equal(install.status, 1);
    assert.match(
      install.stderr,
      /missing runtime settings: DB_HOST DB_USER DB_PASSWORD WORKERS_DB_USER WORKERS_DB_PASSWORD CAMUNDA_ADMIN_USER CAMUNDA_ADMIN_PASSWORD WORKERS_CAMUNDA_USER WORKERS_CAMUNDA_PASSWORD MONITORING_CAMUNDA_USER MONITORING_CAMUNDA_PASSWORD WORKERS_IMAGE; add them under \/camunda-platform\/camunda-test-engine\//,
    );
    assert.equal(existsSync(h.envFile), false);
  });

  test("AfterInstall refuses a revision without the workers image digest: hosts never build the image", () => {
    const h = host("no-digest", { ssm: ssmText, secrets });
    cpSync(bundleDir, h.appDir, { recursive: true });
    rmSync(path.join(h.appDir, "workers", "image-digest"));
    const install = runHook(h, "AfterInstall", h.appDir);
    assert.equal(install.status, 1);
    assert.match(
      install.stderr,
      /this revision carries no workers image digest \(.*workers\/image-digest\): it was packaged without --workers-image-digest; deploy it with the workflow/,
    );
    assert.equal(existsSync(h.envFile), false);
  });

  test("AfterInstall refuses a value the env file cannot hold, naming the key but not the value", () => {
    const h = host("quote", {
      ssm: ssmText,
      secrets: { ...secrets, db: { username: "camunda_app", password: "it's-secret" } },
    });
    cpSync(bundleDir, h.appDir, { recursive: true });
    const install = runHook(h, "AfterInstall", h.appDir);
    assert.equal(install.status, 1);
    assert.match(install.stderr, /the value of DB_PASSWORD contains a single quote or a line break/);
    assert.doesNotMatch(install.stderr + install.stdout, /it's-secret/);
    assert.equal(existsSync(h.envFile), false);
  });

  test("ApplicationStart pulls both images and builds nothing", () => {
    const h = host("registry", { ssm: "" });
    mkdirSync(path.dirname(h.envFile), { recursive: true });
    writeFileSync(h.envFile, "WORKERS_IMAGE='registry.example/workers@sha256:abc'\n", { mode: 0o600 });
    const start = runHook(h, "ApplicationStart", bundleDir);
    assert.equal(start.status, 0, start.stderr);
    const calls = callLines(h).map((c) => c.replace(/ --project-name.*--env-file \S+/, ""));
    assert.deepEqual(calls, [
      "docker compose pull --quiet",
      "docker compose up --detach --no-build --remove-orphans",
    ]);
  });

  test("ValidateService fails on timeout and prints the containers' logs and the reason", () => {
    const h = host("unhealthy", { ssm: "" });
    mkdirSync(path.dirname(h.envFile), { recursive: true });
    writeFileSync(h.envFile, "CAMUNDA_ADMIN_USER='a'\nCAMUNDA_ADMIN_PASSWORD='b'\nWORKER_HTTP_PORT='9555'\n");
    const validate = runHook(h, "ValidateService", bundleDir, {
      STUB_WORKERS_STATUS: "503",
      VALIDATE_TIMEOUT_SECONDS: "1",
      VALIDATE_INTERVAL_SECONDS: "1",
    });
    assert.equal(validate.status, 1);
    assert.match(validate.stdout, /ENGINE-STUB-LOG the engine could not reach the database/);
    assert.match(validate.stdout, /camunda-1 {2}Up 2 minutes \(unhealthy\)/);
    assert.match(
      validate.stderr,
      /not healthy after 1 s: workers http:\/\/127\.0\.0\.1:9555\/readyz answered HTTP 503/,
    );
  });

  test("shellcheck finds nothing in the lifecycle scripts", () => {
    const shellcheck = repoPath(".venv/tools/bin/shellcheck");
    assert.ok(existsSync(shellcheck), `${shellcheck} is missing: run scripts/setup-tools.sh`);
    const scripts = ["lib.sh", "stop.sh", "before-install.sh", "install.sh", "start.sh", "validate.sh"].map(
      (s) => repoPath("deploy/scripts", s),
    );
    const run = spawnSync(shellcheck, ["--external-sources", "--severity=style", ...scripts], {
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    for (const script of scripts.filter((s) => !s.endsWith("lib.sh"))) {
      assert.match(
        readFileSync(script, "utf8"),
        /^#!\/usr\/bin\/env bash\n[\s\S]*?^set -euo pipefail$/m,
        `${script} uses strict mode`,
      );
    }
  });
});
