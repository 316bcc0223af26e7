/**
 * IAM evaluation for the contract tests, with @cloud-copilot/iam-simulate: identity policies,
 * permissions boundaries, resource policies and trust policies evaluated the way IAM does, offline.
 * The simulator is AGPL-licensed, so it is a devDependency used only here: nothing under actions/
 * imports this folder (a test checks the bundles).
 *
 * Two limits of the simulator shape the helpers:
 * - Context keys the service authorization reference does not list for an action are dropped
 *   (`ignoredContextKeys`). A condition on such a key could never match, so `evaluate` fails loudly
 *   when any key is dropped instead of reporting a denial that AWS would not give.
 * - GitHub's `sub` and `aud` claims are among the dropped keys for sts:AssumeRoleWithWebIdentity,
 *   so trust policies go through runUnsafeSimulation, which skips that filtering.
 */
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import {
  getDenialReasons,
  getGrantReasons,
  runSimulation,
  runUnsafeSimulation,
} from "@cloud-copilot/iam-simulate";
import type { Json, ResolvedStack } from "./stacks.js";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface PolicyDocument {
  name: string;
  policy: Json;
}

export interface Role {
  /** Stack key and logical id, e.g. "bootstrap.DeployRole". */
  id: string;
  logicalId: string;
  name: string;
  arn: string;
  account: string;
  region: string;
  environment: string;
  trust: Json;
  policies: PolicyDocument[];
  managedPolicyArns: string[];
  boundary?: PolicyDocument;
  boundaryArn?: string;
  maxSessionDuration: number;
}

export interface IamRequest {
  action: string;
  /** A concrete ARN, or "*" for actions that support no resource-level permissions. */
  resource: string;
  context?: Record<string, string | string[]>;
  /** Why the call needs this permission (shown when it is denied). */
  note?: string;
  /** The resource's own policy (bucket policy, key policy) when the service consults it. */
  resourcePolicy?: Json;
}

export interface Evaluation {
  decision: Decision;
  /** Sids that granted or denied it, for messages. */
  reasons: string[];
}

/** Every role the stacks of one environment create, with policies resolved for that environment. */
export function rolesOf(stacks: Map<string, ResolvedStack>): Map<string, Role> {
  const managed = new Map<string, PolicyDocument>();
  for (const stack of stacks.values()) {
    for (const resource of stack.resources.values()) {
      if (resource.type !== "AWS::IAM::ManagedPolicy") continue;
      const name = String(resource.properties.ManagedPolicyName ?? resource.logicalId);
      managed.set(`arn:aws:iam::${stack.account}:policy/${name}`, {
        name,
        policy: resource.properties.PolicyDocument ?? null,
      });
    }
  }
  const roles = new Map<string, Role>();
  for (const stack of stacks.values()) {
    for (const resource of stack.resources.values()) {
      if (resource.type !== "AWS::IAM::Role") continue;
      const p = resource.properties;
      const name =
        typeof p.RoleName === "string"
          ? p.RoleName
          : `${stack.stackName}-${resource.logicalId}-A1B2C3D4E5F6`.slice(-64);
      const policies = ((p.Policies as { PolicyName: string; PolicyDocument: Json }[] | undefined) ?? []).map(
        (x) => ({ name: x.PolicyName, policy: x.PolicyDocument }),
      );
      const managedArns = ((p.ManagedPolicyArns as string[] | undefined) ?? []).map(String);
      for (const arn of managedArns) {
        const own = managed.get(arn);
        if (own) policies.push(own);
      }
      const boundaryArn = typeof p.PermissionsBoundary === "string" ? p.PermissionsBoundary : undefined;
      const id = `${stack.key}.${resource.logicalId}`;
      roles.set(id, {
        id,
        logicalId: resource.logicalId,
        name,
        arn: `arn:aws:iam::${stack.account}:role/${name}`,
        account: stack.account,
        region: stack.region,
        environment: stack.environment,
        trust: p.AssumeRolePolicyDocument ?? null,
        policies,
        managedPolicyArns: managedArns.filter((arn) => !managed.has(arn)),
        boundary: boundaryArn ? managed.get(boundaryArn) : undefined,
        boundaryArn,
        maxSessionDuration: Number(p.MaxSessionDuration ?? 3600),
      });
    }
  }
  return roles;
}

export function role(roles: Map<string, Role>, id: string): Role {
  const found = roles.get(id);
  if (!found) throw new Error(`no role ${id}; the stacks create ${[...roles.keys()].join(", ")}`);
  return found;
}

function resourceAccount(resource: string, fallback: string): string {
  const account = resource.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : fallback;
}

/**
 * Evaluates one request made with the role's credentials. Global keys the simulator cannot infer
 * (region, principal) are filled in; everything else comes from the request.
 */
export async function evaluate(principal: Role, request: IamRequest): Promise<Evaluation> {
  const regional = !/^(iam|sts|s3|organizations|account):/.test(request.action);
  const context: Record<string, string | string[]> = {
    "aws:PrincipalArn": principal.arn,
    "aws:PrincipalAccount": principal.account,
    "aws:SecureTransport": "true",
    ...(regional ? { "aws:RequestedRegion": principal.region } : {}),
    ...(request.context ?? {}),
  };
  if (principal.boundaryArn && !principal.boundary) {
    throw new Error(
      `${principal.id}: permissions boundary ${principal.boundaryArn} is not a policy the stacks create`,
    );
  }
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${principal.account}:assumed-role/${principal.name}/contract-test`,
        action: request.action,
        resource: {
          resource: request.resource,
          accountId: resourceAccount(request.resource, principal.account),
        },
        contextVariables: context,
      },
      identityPolicies: principal.policies.map((p) => ({ name: p.name, policy: p.policy })),
      permissionBoundaryPolicies: principal.boundary
        ? [{ name: principal.boundary.name, policy: principal.boundary.policy }]
        : undefined,
      resourcePolicy: request.resourcePolicy ?? undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") {
    throw new Error(
      `the simulator refused ${request.action} on ${request.resource} for ${principal.id}: ${JSON.stringify(result.errors)}`,
    );
  }
  if (result.resultType !== "single") {
    throw new Error(`${request.action} on ${request.resource}: give a concrete ARN, not a pattern`);
  }
  const ignored = (result.result.ignoredContextKeys ?? []).filter(
    (key) => request.context !== undefined && key in request.context,
  );
  if (ignored.length > 0) {
    throw new Error(
      `${request.action}: the simulator ignores the context key(s) ${ignored.join(", ")}, so a condition on them could never match; model the request differently`,
    );
  }
  const analysis = result.result.analysis;
  const decision = result.result.analysis.result as Decision;
  const describe = (r: Record<string, unknown>) =>
    [r.policyType, r.policyIdentifier ?? r.identifier, r.statementId ?? r.statementIndex, r.denialType]
      .filter((part) => part !== undefined)
      .join(":");
  const reasons = (decision === "Allowed" ? getGrantReasons(analysis) : getDenialReasons(analysis)).map((r) =>
    describe(r as Record<string, unknown>),
  );
  return { decision, reasons };
}

export interface WebIdentityToken {
  /** The claims IAM compares, e.g. sub and aud of GitHub's token. */
  claims: Record<string, string>;
  /** The identity provider that issued the token. */
  provider?: string;
}

const githubIssuer = "token.actions.githubusercontent.com";

/** Whether a GitHub Actions job holding a token with these claims may assume the role. */
export function canAssumeWithWebIdentity(target: Role, token: WebIdentityToken): Decision {
  const trust = createValidatedPolicy(target.trust as object, validateTrustPolicy, {
    name: `${target.id}-trust`,
  });
  if (trust.errors.length > 0) {
    throw new Error(`${target.id}: invalid trust policy: ${JSON.stringify(trust.errors)}`);
  }
  const context = Object.fromEntries(
    Object.entries(token.claims).map(([claim, value]) => [`${githubIssuer}:${claim}`, value]),
  );
  return runUnsafeSimulation(
    {
      request: {
        principal: token.provider ?? `arn:aws:iam::${target.account}:oidc-provider/${githubIssuer}`,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: { resource: target.arn, accountId: target.account },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    },
    {},
  ) as unknown as Decision;
}

/** Whether an AWS service (ec2.amazonaws.com, cloudformation.amazonaws.com …) may assume the role. */
export function canServiceAssume(
  target: Role,
  service: string,
  context: Record<string, string> = {},
): Decision {
  const trust = createValidatedPolicy(target.trust as object, validateTrustPolicy, {
    name: `${target.id}-trust`,
  });
  if (trust.errors.length > 0)
    throw new Error(`${target.id}: invalid trust policy: ${JSON.stringify(trust.errors)}`);
  return runUnsafeSimulation(
    {
      request: {
        principal: service,
        action: "sts:AssumeRole",
        resource: { resource: target.arn, accountId: target.account },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    },
    {},
  ) as unknown as Decision;
}
