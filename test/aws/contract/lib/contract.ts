/**
 * Judges recorded calls against the policy of the role that makes them: every IAM request a call
 * needs must be allowed. Returns one line per refusal (action, resource, reason), so a failing test
 * says exactly which permission is missing.
 */
import type { EnvironmentConfig } from "#core/environments/schema.js";
import type { StackKey } from "#core/infrastructure/parameters.js";
import { type Decision, evaluate, type IamRequest, type Role, rolesOf } from "./iam.js";
import type { RecordedCall } from "./recorder.js";
import { iamRequestsFor, type RequestContext } from "./requests.js";
import { type Json, type ResolvedStack, type ResolveOptions, resolveEnvironment } from "./stacks.js";

export interface EnvironmentModel {
  config: EnvironmentConfig;
  stacks: Map<StackKey, ResolvedStack>;
  roles: Map<string, Role>;
  context: RequestContext;
}

export function environmentModel(config: EnvironmentConfig, options: ResolveOptions = {}): EnvironmentModel {
  const stacks = resolveEnvironment(config, options);
  const aws = config.aws!;
  const group = stacks.get("delivery")?.resources.get("DeploymentGroup")?.properties;
  const ssmParameters = new Map<string, string[]>();
  for (const stack of stacks.values()) {
    // Parameters of type AWS::SSM::Parameter::Value<…> hold a parameter name CloudFormation resolves.
    const names = Object.entries(stack.parameters)
      .filter(([name]) => ssmTypedParameters(stack).includes(name))
      .map(([, value]) => value);
    ssmParameters.set(stack.stackName, [...names, ...ssmDefaults(stack)]);
  }
  // Secrets and the key each is encrypted with: the stacks' own secrets and RDS's master secret.
  const data = stacks.get("data");
  const secretKeys = new Map<string, { arn: string; keyPolicy?: Json }>();
  const keyArn = (value: unknown) => {
    const key = String(value ?? "");
    const arn = key.startsWith("arn:") ? key : `arn:aws:kms:${aws.region}:${aws.accountId}:key/${key}`;
    // The stacks' one customer key is the data stack's; its key policy decides with IAM.
    const keyPolicy = data?.resources.get("DataKey")?.properties.KeyPolicy;
    return { arn, ...(keyPolicy ? { keyPolicy } : {}) };
  };
  for (const resource of data?.resources.values() ?? []) {
    if (resource.type === "AWS::SecretsManager::Secret" && resource.properties.KmsKeyId) {
      secretKeys.set(secretArnOf(data!, resource.logicalId), keyArn(resource.properties.KmsKeyId));
    }
    if (resource.type === "AWS::RDS::DBCluster") {
      const master = (resource.properties.MasterUserSecret as { KmsKeyId?: string } | undefined)?.KmsKeyId;
      if (master) secretKeys.set(data!.outputs.MasterUserSecretArn ?? "", keyArn(master));
    }
  }
  return {
    config,
    stacks,
    roles: rolesOf(stacks),
    context: {
      region: aws.region,
      account: aws.accountId,
      codeDeploy: {
        application: aws.codeDeploy.application,
        deploymentGroup: aws.codeDeploy.deploymentGroup,
        deploymentConfigName: String(group?.DeploymentConfigName ?? "CodeDeployDefault.AllAtOnce"),
      },
      ssmParametersOf: (stackName) => ssmParameters.get(stackName) ?? [],
      kmsKeyOfSecret: (secretArn) => secretKeys.get(secretArn),
    },
  };
}

function secretArnOf(stack: ResolvedStack, logicalId: string): string {
  // The stacks export their secrets' ARNs; find the output that holds this one.
  const output = Object.entries(stack.outputs).find(
    ([name]) => name === `${logicalId.replace(/Secret$/, "")}SecretArn`,
  );
  if (output) return output[1];
  throw new Error(`${stack.key}.yaml exports no ARN for ${logicalId}`);
}

// The resolved stack keeps only given parameter values; the SSM-typed ones and their defaults come
// from the template's Parameters section, which resolveEnvironment records on each stack.
function ssmTypedParameters(stack: ResolvedStack): string[] {
  return Object.entries(stack.parameterTypes)
    .filter(([, type]) => type.startsWith("AWS::SSM::Parameter::Value<"))
    .map(([name]) => name);
}

function ssmDefaults(stack: ResolvedStack): string[] {
  return ssmTypedParameters(stack)
    .filter((name) => !(name in stack.parameters))
    .map((name) => stack.parameterDefaults[name])
    .filter((value): value is string => typeof value === "string");
}

export interface Verdict {
  call: string;
  request: IamRequest;
  decision: Decision;
  reasons: string[];
}

function describeCall(call: RecordedCall): string {
  const input = call.input;
  const target = [input.Bucket, input.Key, input.applicationName, input.deploymentGroupName, input.StackName]
    .filter((v) => v !== undefined)
    .join("/");
  return `${call.service}:${call.operation}${target ? ` (${target})` : ""}`;
}

/** Every distinct IAM request the calls need, with the role's verdict on it. */
export async function judge(role: Role, calls: RecordedCall[], context: RequestContext): Promise<Verdict[]> {
  const seen = new Map<string, Verdict>();
  for (const call of calls) {
    for (const request of iamRequestsFor(call, context)) {
      const key = `${request.action} ${request.resource} ${JSON.stringify(request.context ?? {})}`;
      if (seen.has(key)) continue;
      const { decision, reasons } = await evaluate(role, request);
      seen.set(key, { call: describeCall(call), request, decision, reasons });
    }
  }
  return [...seen.values()];
}

export function refusals(verdicts: Verdict[]): string[] {
  return verdicts
    .filter((v) => v.decision !== "Allowed")
    .map(
      (v) =>
        `${v.call} needs ${v.request.action} on ${v.request.resource}${v.request.note ? ` (${v.request.note})` : ""}: ${v.decision} [${v.reasons.join(", ")}]`,
    );
}

/** Shorthand for tests: the refusals of a role on recorded calls, empty when every call is allowed. */
export async function refusedCalls(
  model: EnvironmentModel,
  roleId: string,
  calls: RecordedCall[],
  context: RequestContext = model.context,
): Promise<string[]> {
  const role = model.roles.get(roleId);
  if (!role) throw new Error(`no role ${roleId} in ${model.config.name}`);
  return refusals(await judge(role, calls, context));
}

/** The requests a role is allowed although they act on another environment's resources. */
export async function allowedElsewhere(
  model: EnvironmentModel,
  roleId: string,
  calls: RecordedCall[],
  resourcesOf: EnvironmentModel,
): Promise<string[]> {
  const role = model.roles.get(roleId);
  if (!role) throw new Error(`no role ${roleId} in ${model.config.name}`);
  return (await judge(role, calls, resourcesOf.context))
    .filter((v) => v.decision === "Allowed")
    .map((v) => `${v.request.action} on ${v.request.resource}`);
}
