import { awsErrorName, describeAwsError, isFatalAwsError } from "#core/aws/clients.js";
import { UserError } from "#core/util/errors.js";

/** What to do about an AWS error, chosen by its name (messages change; names are API). */
export function hintFor(error: unknown): string {
  const name = awsErrorName(error) ?? "";
  if (/Expired|RequestExpired/.test(name)) {
    return "the credentials expired: re-run, and keep role-duration-seconds above the deploy timeout";
  }
  if (/AccessDenied|Unauthorized/.test(name))
    return "the deploy role lacks this permission: grant it in the bootstrap stack";
  if (
    /UnrecognizedClient|InvalidClientTokenId|InvalidSignature|SignatureDoesNotMatch|CredentialsProvider/.test(
      name,
    )
  ) {
    return "no valid AWS credentials: assume the environment's deploy role first";
  }
  if (name === "ApplicationDoesNotExistException" || name === "DeploymentGroupDoesNotExistException") {
    return "deploy the delivery stack first, or fix codeDeploy in the environment file";
  }
  if (name === "DeploymentLimitExceededException" || name === "DeploymentAlreadyStartedException") {
    return "another deployment is active in this group: wait for it or stop it";
  }
  return "fix the request and run again";
}

/** Wraps an AWS failure in a UserError sentence: what failed, why (by name), what to do. */
export function awsFailure(action: string, error: unknown): UserError {
  return new UserError(`${action} failed: ${describeAwsError(error)}; ${hintFor(error)}.`, { cause: error });
}

export { isFatalAwsError };
