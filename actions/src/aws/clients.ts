import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { S3Client } from "@aws-sdk/client-s3";

/**
 * AWS clients for delivery. Credentials come from the SDK's default chain (in CI, the environment
 * variables that aws-actions/configure-aws-credentials exports). The SDK reads AWS_ENDPOINT_URL (and
 * AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_CODEDEPLOY) itself, which is how tests point it at moto on
 * loopback; S3 then needs path-style addressing because `<bucket>.127.0.0.1` does not resolve.
 */
export interface AwsClientOptions {
  region: string;
  env?: NodeJS.ProcessEnv;
}

export function endpointOverride(service: "S3" | "CODEDEPLOY", env: NodeJS.ProcessEnv = process.env) {
  return env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
}

export function createS3Client({ region, env = process.env }: AwsClientOptions): S3Client {
  return new S3Client({ region, forcePathStyle: endpointOverride("S3", env) !== undefined });
}

export function createCodeDeployClient({ region }: AwsClientOptions): CodeDeployClient {
  return new CodeDeployClient({ region });
}

/** Error names that mean "retrying will not help": bad credentials, missing permissions, bad input. */
const fatalNames = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestExpired",
  "ValidationException",
  "ValidationError",
  "CredentialsProviderError",
]);

/** True when an AWS error cannot be fixed by waiting: classified by its name, never by its message. */
export function isFatalAwsError(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name === undefined) return false;
  if (fatalNames.has(name)) return true;
  // CodeDeploy reports bad input as Invalid*Exception and missing resources as *DoesNotExistException.
  return (
    /^Invalid.*Exception$/.test(name) ||
    /DoesNotExistException$/.test(name) ||
    /Required.*Exception$/.test(name)
  );
}

export function awsErrorName(error: unknown): string | undefined {
  if (error && typeof error === "object" && "name" in error && typeof error.name === "string")
    return error.name;
  return undefined;
}

/** One line for a user: the error's name and message, without a stack. */
export function describeAwsError(error: unknown): string {
  const name = awsErrorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return name && name !== "Error" && !message.startsWith(name) ? `${name}: ${message}` : message;
}
