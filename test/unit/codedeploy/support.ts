import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { Clock } from "#core/codedeploy/clock.js";

/** A clock whose sleep advances time instantly: the poller's logic is tested without waiting. */
export function virtualClock(start = 0): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

export function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} raised by the mock`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

export function client(): CodeDeployClient {
  return new CodeDeployClient({
    region: "eu-west-2",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
}

export const group = {
  deploymentGroupInfo: {
    applicationName: "camunda-dev",
    deploymentGroupName: "camunda-dev-engine",
    deploymentGroupId: "7c1f0d2e-1111-2222-3333-444455556666",
    computePlatform: "Server" as const,
  },
};
