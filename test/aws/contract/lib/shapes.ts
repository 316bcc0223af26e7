/**
 * The two account layouts docs/aws.md supports, built from the environment files: one AWS account
 * per environment (the recommended shape, as the files ship) and all environments in one account
 * with separate roles. The contract tests run in both.
 */
import type { EnvironmentConfig } from "#core/environments/schema.js";

export type AccountShape = "account-per-environment" | "shared-account";
export const shapes: AccountShape[] = ["account-per-environment", "shared-account"];

function moveToAccount(config: EnvironmentConfig, account: string): EnvironmentConfig {
  const aws = config.aws!;
  const from = aws.accountId;
  const swap = (value: string) => value.split(from).join(account);
  return {
    ...config,
    aws: {
      ...aws,
      accountId: account,
      infrastructureRoleArn: swap(aws.infrastructureRoleArn),
      deployRoleArn: swap(aws.deployRoleArn),
      artifactBucket: swap(aws.artifactBucket),
    },
    infrastructure: config.infrastructure && {
      ...config.infrastructure,
      ...(config.infrastructure.certificateArn
        ? { certificateArn: swap(config.infrastructure.certificateArn) }
        : {}),
    },
  };
}

/** The AWS environments laid out in the given shape. */
export function inShape(
  environments: readonly EnvironmentConfig[],
  shape: AccountShape,
): EnvironmentConfig[] {
  const aws = environments.filter((e) => e.aws && e.infrastructure);
  const accounts = new Set(aws.map((e) => e.aws!.accountId));
  if (shape === "account-per-environment") {
    if (accounts.size !== aws.length)
      throw new Error("the environment files share an account; expected one each");
    return aws;
  }
  const shared = aws.find((e) => e.name === "dev")?.aws?.accountId ?? aws[0]!.aws!.accountId;
  return aws.map((e) => moveToAccount(e, shared));
}
