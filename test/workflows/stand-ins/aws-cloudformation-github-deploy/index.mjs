// Stand-in for aws-actions/aws-cloudformation-github-deploy: see action.yml.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";

// Helpers first: each stand-in is copied into the job on its own, so it carries its own.

function input(name, fallback = "") {
  const value = process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`];
  return value === undefined || value === "" ? fallback : value.trim();
}

function booleanInput(name, fallback = false) {
  const value = input(name, String(fallback)).toLowerCase();
  return value === "true" || value === "1";
}

/** Stand-ins run against moto on loopback only: without AWS_ENDPOINT_URL they refuse to start. */
function localEndpoint(standIn) {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint || !/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(endpoint)) {
    fail(
      `${standIn}: AWS_ENDPOINT_URL must point at a local AWS API such as moto (http://127.0.0.1:PORT), got "${endpoint ?? ""}"; this stand-in never calls AWS itself.`,
    );
  }
  return endpoint;
}

function fileCommand(variable, name, value) {
  const delimiter = `ghadelimiter_${randomBytes(8).toString("hex")}`;
  appendFileSync(process.env[variable], `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

function setOutput(name, value) {
  fileCommand("GITHUB_OUTPUT", name, String(value));
}
function fail(message) {
  console.log(`::error::${message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}`);
  process.exit(1);
}

class AwsError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Runs `aws <args> --output json` and returns the parsed answer; AWS errors become AwsError. */
function aws(args, env = process.env) {
  try {
    const out = execFileSync("aws", [...args, "--output", "json"], {
      encoding: "utf8",
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return out.trim() ? JSON.parse(out) : {};
  } catch (error) {
    const stderr = String(error.stderr ?? error.message ?? "");
    const match = /An error occurred \(([^)]+)\)[^:]*: (.*)/s.exec(stderr);
    if (match) throw new AwsError(match[1], match[2].trim());
    // moto answers what it cannot handle with an HTML error page; one line is enough.
    const status = /<title>(\d{3}[^<]*)<\/title>/.exec(stderr)?.[1];
    if (status) throw new AwsError("HttpError", `the AWS API answered HTTP ${status}`);
    throw new AwsError("CliError", stderr.trim() || String(error));
  }
}

// ---- the stand-in ----

const standIn = "aws-cloudformation-github-deploy stand-in";
localEndpoint(standIn);
const stackName = input("name");
const mode = input("mode", "create-and-execute");
if (!stackName) fail(`${standIn}: input name is required`);
if (mode === "execute-only")
  fail(`${standIn}: mode execute-only is not stood in for; this project's workflows do not use it`);
if (mode !== "create-and-execute" && mode !== "create-only") fail(`${standIn}: unknown mode "${mode}"`);
const noExecute = booleanInput("no-execute-changeset") || mode === "create-only";
const changeSetName = input("change-set-name", `${stackName}-CS`);
const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
const templateFile = path.resolve(workspace, input("template"));
let templateBody;
try {
  templateBody = readFileSync(templateFile, "utf8");
} catch {
  fail(`${standIn}: template ${input("template")} cannot be read`);
}

/** parameter-overrides: a file:// URL of a CloudFormation parameter file, or Key=Value,Key=Value. */
function parameters(spec) {
  if (!spec) return [];
  if (spec.startsWith("file://")) {
    const file = spec.slice("file://".length);
    try {
      return JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      fail(`${standIn}: parameter-overrides ${spec} cannot be read as a parameter file (${error.message})`);
    }
  }
  const list = [];
  for (const part of spec.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const at = part.indexOf("=");
    if (at < 1) fail(`${standIn}: parameter-overrides entry "${part}" is not Key=Value`);
    list.push({
      ParameterKey: part.slice(0, at).trim(),
      ParameterValue: part.slice(at + 1).replace(/^"|"$/g, ""),
    });
  }
  return list;
}

function describeStack() {
  try {
    return aws(["cloudformation", "describe-stacks", "--stack-name", stackName]).Stacks?.[0];
  } catch (error) {
    if (error instanceof AwsError && /does not exist/.test(error.message)) return undefined;
    throw error;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function waitFor(what, check, timeoutMinutes) {
  const deadline = Date.now() + timeoutMinutes * 60_000;
  for (;;) {
    const done = check();
    if (done) return done;
    if (Date.now() > deadline) fail(`${standIn}: ${what} did not finish within ${timeoutMinutes} minute(s)`);
    sleep(1000);
  }
}

function markdown(changes) {
  if (changes.length === 0) return "No changes.";
  const rows = changes.map((c) => {
    const r = c.ResourceChange ?? {};
    return `| ${r.Action ?? ""} | ${r.LogicalResourceId ?? ""} | ${r.ResourceType ?? ""} | ${r.Replacement ?? ""} |`;
  });
  return ["| Action | Logical ID | Type | Replacement |", "|---|---|---|---|", ...rows].join("\n");
}

const existing = describeStack();
const type = existing && existing.StackStatus !== "REVIEW_IN_PROGRESS" ? "UPDATE" : "CREATE";
const createArgs = [
  "cloudformation",
  "create-change-set",
  "--stack-name",
  stackName,
  "--change-set-name",
  changeSetName,
  "--change-set-type",
  type,
  "--template-body",
  templateBody,
  "--capabilities",
  ...input("capabilities", "CAPABILITY_IAM")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean),
];
const overrides = parameters(input("parameter-overrides"));
if (overrides.length > 0) createArgs.push("--parameters", JSON.stringify(overrides));
if (input("role-arn")) createArgs.push("--role-arn", input("role-arn"));
if (input("tags")) createArgs.push("--tags", input("tags"));
if (input("notification-arns"))
  createArgs.push("--notification-arns", ...input("notification-arns").split(","));

let created;
try {
  created = aws(createArgs);
} catch (error) {
  fail(
    `Failed to create Change Set: ${error instanceof AwsError ? `${error.code}: ${error.message}` : error}`,
  );
}
console.log(`${standIn}: change set ${changeSetName} (${type}) for ${stackName}`);
const changeSet = waitFor(
  `change set ${changeSetName}`,
  () => {
    const found = aws(["cloudformation", "describe-change-set", "--change-set-name", created.Id]);
    return found.Status === "CREATE_COMPLETE" || found.Status === "FAILED" ? found : undefined;
  },
  5,
);
const changes = changeSet.Changes ?? [];
const empty =
  (changeSet.Status === "FAILED" &&
    /didn't contain changes|No updates are to be performed/.test(changeSet.StatusReason ?? "")) ||
  (changeSet.Status === "CREATE_COMPLETE" && type === "UPDATE" && changes.length === 0);
if (changeSet.Status === "FAILED" && !empty) {
  if (!booleanInput("no-delete-failed-changeset")) {
    aws(["cloudformation", "delete-change-set", "--change-set-name", created.Id]);
  }
  fail(`Failed to create Change Set: ${changeSet.StatusReason ?? "FAILED"}`);
}

if (noExecute) {
  setOutput("stack-id", created.StackId);
  setOutput("change-set-id", created.Id);
  setOutput("change-set-name", changeSetName);
  setOutput("has-changes", String(!empty));
  setOutput("changes-count", String(changes.length));
  setOutput("changes-summary", JSON.stringify(changes.map((c) => c.ResourceChange ?? {})));
  setOutput("changes-markdown", markdown(empty ? [] : changes));
  console.log(`${standIn}: ${changes.length} change(s), not executed (${mode})`);
  process.exit(0);
}

let finished;
if (empty) {
  if (booleanInput("fail-on-empty-changeset"))
    fail(`Failed to create Change Set: the change set for ${stackName} is empty`);
  aws(["cloudformation", "delete-change-set", "--change-set-name", created.Id]);
  console.log(`${standIn}: no changes for ${stackName}`);
} else {
  try {
    aws(["cloudformation", "execute-change-set", "--change-set-name", created.Id]);
  } catch (error) {
    fail(
      `${stackName}: executing change set ${changeSetName} failed: ${error instanceof AwsError ? `${error.code}: ${error.message}` : error}`,
    );
  }
  finished = waitFor(
    `stack ${stackName}`,
    () => {
      const stack = describeStack();
      // REVIEW_IN_PROGRESS after an execution means the execution never started: no use waiting.
      return stack && (!/_IN_PROGRESS$/.test(stack.StackStatus) || stack.StackStatus === "REVIEW_IN_PROGRESS")
        ? stack
        : undefined;
    },
    Number(input("timeout-in-minutes", "60")),
  );
  if (!/^(CREATE|UPDATE)_COMPLETE$/.test(finished.StackStatus)) {
    fail(`${stackName} ended in ${finished.StackStatus}: ${finished.StackStatusReason ?? "no reason given"}`);
  }
  if (type === "CREATE" && booleanInput("termination-protection")) {
    aws([
      "cloudformation",
      "update-termination-protection",
      "--enable-termination-protection",
      "--stack-name",
      stackName,
    ]);
  }
  console.log(`${standIn}: ${stackName} ${finished.StackStatus} with ${changes.length} change(s)`);
}
const stack = finished ?? describeStack();
setOutput("stack-id", stack?.StackId ?? stackName);
for (const output of stack?.Outputs ?? []) setOutput(output.OutputKey, output.OutputValue ?? "");
