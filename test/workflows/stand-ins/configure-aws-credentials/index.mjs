// Stand-in for aws-actions/configure-aws-credentials: see action.yml.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";

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
function exportVariable(name, value) {
  fileCommand("GITHUB_ENV", name, String(value));
}
function mask(value) {
  console.log(`::add-mask::${value}`);
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

const standIn = "configure-aws-credentials stand-in";
localEndpoint(standIn);
const region = input("aws-region");
const role = input("role-to-assume");
const sessionName = input("role-session-name", "GitHubActions");
const duration = Number(input("role-duration-seconds", "3600"));
if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) fail(`${standIn}: aws-region "${region}" is not a region`);
if (!/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(role))
  fail(`${standIn}: role-to-assume "${role}" is not a role ARN`);
// STS's own limits; the role's MaxSessionDuration is checked below.
if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
  fail(
    `${standIn}: role-session-name "${sessionName}" must be 2-64 characters of letters, digits and +=,.@_-`,
  );
}
if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
  fail(`${standIn}: role-duration-seconds ${input("role-duration-seconds")} is outside STS's 900-43200`);
}

let session;
try {
  session = aws([
    "sts",
    "assume-role-with-web-identity",
    "--region",
    region,
    "--role-arn",
    role,
    "--role-session-name",
    sessionName,
    "--duration-seconds",
    String(duration),
    "--web-identity-token",
    "stand-in-token-for-a-local-run",
  ]);
} catch (error) {
  fail(
    `Could not assume role with OIDC: ${error instanceof AwsError ? `${error.code}: ${error.message}` : error}`,
  );
}
const credentials = session.Credentials;
mask(credentials.SecretAccessKey);
mask(credentials.SessionToken);

// STS refuses a session longer than the role's MaxSessionDuration; moto does not, so ask its IAM for
// the role (present when the test created it) and refuse the same way.
const sessionEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
  AWS_SESSION_TOKEN: credentials.SessionToken,
};
try {
  const found = aws(
    ["iam", "get-role", "--region", region, "--role-name", role.split("/").pop()],
    sessionEnv,
  );
  const allowed = found.Role?.MaxSessionDuration ?? 3600;
  if (duration > allowed) {
    fail(
      `Could not assume role with OIDC: ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role (${duration} > ${allowed}).`,
    );
  }
} catch (error) {
  if (!(error instanceof AwsError && error.code === "NoSuchEntity")) {
    fail(`${standIn}: could not read ${role} from the local IAM: ${error.message}`);
  }
  console.log(`${standIn}: ${role} is not in the local IAM, so its MaxSessionDuration was not checked`);
}

const account = role.split(":")[4];
if (booleanInput("mask-aws-account-id")) mask(account);
exportVariable("AWS_ACCESS_KEY_ID", credentials.AccessKeyId);
exportVariable("AWS_SECRET_ACCESS_KEY", credentials.SecretAccessKey);
exportVariable("AWS_SESSION_TOKEN", credentials.SessionToken);
exportVariable("AWS_REGION", region);
exportVariable("AWS_DEFAULT_REGION", region);
setOutput("aws-account-id", account);
setOutput("authenticated-arn", session.AssumedRoleUser?.Arn ?? "");
console.log(`${standIn}: assumed ${role} as session ${sessionName} for ${duration} s in ${region}`);
