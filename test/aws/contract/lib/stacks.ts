/**
 * The templates as CloudFormation would instantiate them for one environment: every intrinsic
 * function resolved with the parameters `actions/src/infrastructure/parameters.ts` produces, the
 * pseudo parameters of the environment's account and region, and deterministic stand-ins for the
 * physical ids and ARNs CloudFormation assigns. The IAM contract tests read the policies from here,
 * so they evaluate exactly what a stack would create.
 *
 * Only what the policies need is modelled: an intrinsic or a resource type this file does not know
 * throws, so a template change that the contract cannot follow fails loudly instead of passing.
 */
import { createHash } from "node:crypto";
import type { EnvironmentConfig } from "#core/environments/schema.js";
import {
  allStacks,
  exampleRepository,
  planStack,
  type StackKey,
  stackNames,
} from "#core/infrastructure/parameters.js";
import { repoPath } from "../../../support/repo.js";
import {
  type Json,
  parseTemplate,
  parseTemplateText,
  type Template,
} from "../../../unit/cloudformation/templates.js";

export type { Json };

/** A stand-in for the random part CloudFormation appends to generated names. */
const generatedSuffix = "A1B2C3D4E5F6";
/** A stand-in for the random stack id in stack ARNs. */
export const stackIdStandIn = "0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";

export interface ResolvedResource {
  logicalId: string;
  type: string;
  properties: Record<string, Json>;
  metadata?: Record<string, Json>;
}

export interface ResolvedStack {
  key: StackKey;
  stackName: string;
  stackArn: string;
  environment: string;
  region: string;
  account: string;
  parameters: Record<string, string>;
  /** The template's parameter types and defaults (SSM-typed parameters are resolved by CloudFormation). */
  parameterTypes: Record<string, string>;
  parameterDefaults: Record<string, string>;
  resources: Map<string, ResolvedResource>;
  outputs: Record<string, string>;
}

export interface ResolveOptions {
  /** The repository the bootstrap trust policies name. */
  repository?: string;
  /** Every environment (the bootstrap stack decides from them which one creates the OIDC provider). */
  allEnvironments?: readonly EnvironmentConfig[];
  /** Parameter values to override (a test that flips one value to prove a check fails). */
  overrides?: Partial<Record<StackKey, Record<string, string>>>;
  /** Replaces a template file (a test that edits a template to prove a check fails). */
  templateText?: Partial<Record<StackKey, string>>;
}

const noValue = Symbol("AWS::NoValue");
type Value = Json | typeof noValue;

class Resolver {
  readonly conditions = new Map<string, boolean>();

  constructor(
    readonly template: Template,
    readonly stack: {
      key: StackKey;
      stackName: string;
      region: string;
      account: string;
      parameters: Record<string, string>;
    },
    readonly importValue: (name: string) => string,
  ) {
    for (const name of Object.keys(template.Conditions ?? {})) this.condition(name);
  }

  parameter(name: string): string | undefined {
    if (name in this.stack.parameters) return this.stack.parameters[name];
    const spec = this.template.Parameters?.[name];
    if (spec === undefined) return undefined;
    if (spec.Default === undefined)
      throw new Error(`${this.template.name}.yaml: parameter ${name} has no value and no default`);
    return String(spec.Default);
  }

  pseudo(name: string): string | undefined {
    switch (name) {
      case "AWS::Region":
        return this.stack.region;
      case "AWS::AccountId":
        return this.stack.account;
      case "AWS::Partition":
        return "aws";
      case "AWS::URLSuffix":
        return "amazonaws.com";
      case "AWS::StackName":
        return this.stack.stackName;
      case "AWS::StackId":
        return stackArn(this.stack.region, this.stack.account, this.stack.stackName);
      default:
        return undefined;
    }
  }

  condition(name: string): boolean {
    const cached = this.conditions.get(name);
    if (cached !== undefined) return cached;
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new Error(`${this.template.name}.yaml: unknown condition ${name}`);
    const value = this.truth(expression);
    this.conditions.set(name, value);
    return value;
  }

  truth(expression: Json): boolean {
    const fn = expression as Record<string, Json>;
    if ("Condition" in fn) return this.condition(String(fn.Condition));
    if ("Fn::Equals" in fn) {
      const [a, b] = fn["Fn::Equals"] as Json[];
      return String(this.resolve(a ?? null)) === String(this.resolve(b ?? null));
    }
    if ("Fn::Not" in fn) return !this.truth((fn["Fn::Not"] as Json[])[0] ?? null);
    if ("Fn::And" in fn) return (fn["Fn::And"] as Json[]).every((c) => this.truth(c));
    if ("Fn::Or" in fn) return (fn["Fn::Or"] as Json[]).some((c) => this.truth(c));
    throw new Error(`${this.template.name}.yaml: unsupported condition ${JSON.stringify(expression)}`);
  }

  ref(name: string): string {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.parameter(name);
    if (parameter !== undefined) return parameter;
    const resource = this.template.Resources[name];
    if (resource) return this.physicalId(name, resource.Type);
    throw new Error(`${this.template.name}.yaml: Ref to unknown ${name}`);
  }

  /** The name CloudFormation gives a resource without an explicit name: stack-LogicalId-RANDOM. */
  generatedName(logicalId: string, max = 64): string {
    return (
      `${this.stack.stackName}-${logicalId}`.slice(0, max - generatedSuffix.length - 1) +
      `-${generatedSuffix}`
    );
  }

  explicitName(logicalId: string, property: string): string | undefined {
    const value = this.template.Resources[logicalId]?.Properties?.[property];
    if (value === undefined) return undefined;
    const resolved = this.resolve(value);
    return resolved === noValue ? undefined : String(resolved);
  }

  arnBase(service: string): string {
    return `arn:aws:${service}:${this.stack.region}:${this.stack.account}`;
  }

  physicalId(logicalId: string, type: string): string {
    const named = (property: string, max?: number) =>
      this.explicitName(logicalId, property) ?? this.generatedName(logicalId, max);
    switch (type) {
      case "AWS::IAM::Role":
        return named("RoleName");
      case "AWS::IAM::InstanceProfile":
        return named("InstanceProfileName", 128);
      case "AWS::IAM::ManagedPolicy":
        return `arn:aws:iam::${this.stack.account}:policy/${named("ManagedPolicyName", 128)}`;
      case "AWS::IAM::OIDCProvider":
        return `arn:aws:iam::${this.stack.account}:oidc-provider/token.actions.githubusercontent.com`;
      case "AWS::S3::Bucket":
        return named("BucketName", 63).toLowerCase();
      case "AWS::Logs::LogGroup":
        return named("LogGroupName", 512);
      case "AWS::SNS::Topic":
        return `${this.arnBase("sns")}:${named("TopicName", 256)}`;
      case "AWS::SecretsManager::Secret":
        return `${this.arnBase("secretsmanager")}:secret:${named("Name", 256)}-AbCdEf`;
      case "AWS::KMS::Key": {
        // A key id of its own per stack and key, so one environment's key is not another's.
        const hex = createHash("sha256").update(`${this.stack.stackName}/${logicalId}`).digest("hex");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
      }
      case "AWS::Lambda::Function":
        return named("FunctionName");
      case "AWS::ECR::Repository":
        return named("RepositoryName", 256).toLowerCase();
      case "AWS::CodeDeploy::Application":
        return named("ApplicationName", 100);
      case "AWS::CodeDeploy::DeploymentGroup":
        return named("DeploymentGroupName", 100);
      case "AWS::RDS::DBCluster":
        return named("DBClusterIdentifier").toLowerCase();
      case "AWS::RDS::DBInstance":
        return named("DBInstanceIdentifier").toLowerCase();
      case "AWS::SSM::Parameter":
        return named("Name", 1011);
      default:
        // EC2 ids, listeners, alarms and the like: an opaque id is all a policy can refer to.
        return `${logicalId.toLowerCase()}-0123456789abcdef0`;
    }
  }

  getAtt(logicalId: string, attribute: string): string {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`${this.template.name}.yaml: GetAtt on unknown ${logicalId}`);
    const id = this.physicalId(logicalId, resource.Type);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case "AWS::IAM::Role.Arn":
        return `arn:aws:iam::${this.stack.account}:role/${id}`;
      case "AWS::IAM::InstanceProfile.Arn":
        return `arn:aws:iam::${this.stack.account}:instance-profile/${id}`;
      case "AWS::S3::Bucket.Arn":
        return `arn:aws:s3:::${id}`;
      case "AWS::Logs::LogGroup.Arn":
        return `${this.arnBase("logs")}:log-group:${id}:*`;
      case "AWS::KMS::Key.Arn":
        return `${this.arnBase("kms")}:key/${id}`;
      case "AWS::SNS::Topic.TopicArn":
        return id;
      case "AWS::Lambda::Function.Arn":
        return `${this.arnBase("lambda")}:function:${id}`;
      case "AWS::ECR::Repository.Arn":
        return `${this.arnBase("ecr")}:repository/${id}`;
      case "AWS::ECR::Repository.RepositoryUri":
        return `${this.stack.account}.dkr.ecr.${this.stack.region}.amazonaws.com/${id}`;
      case "AWS::RDS::DBCluster.DBClusterArn":
        return `${this.arnBase("rds")}:cluster:${id}`;
      case "AWS::RDS::DBCluster.MasterUserSecret.SecretArn":
        return `${this.arnBase("secretsmanager")}:secret:rds!cluster-${stackIdStandIn}-QwErTy`;
      case "AWS::RDS::DBCluster.Endpoint.Address":
        return `${id}.cluster-abcdefghijkl.${this.stack.region}.rds.amazonaws.com`;
      case "AWS::RDS::DBCluster.Endpoint.Port":
        return "5432";
      case "AWS::RDS::DBCluster.DBClusterResourceId":
        return "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
      default:
        return `${id}.${attribute}`;
    }
  }

  sub(text: string, variables: Record<string, Json>): string {
    return text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
      if (name.startsWith("!")) return `\${${name.slice(1)}}`;
      if (name in variables) return String(this.resolve(variables[name] ?? null));
      if (name.includes(".")) {
        const dot = name.indexOf(".");
        return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      }
      return this.ref(name);
    });
  }

  resolve(value: Json): Value {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(v)).filter((v): v is Json => v !== noValue);
    }
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = value[fn] as Json;
      switch (fn) {
        case "Ref":
          return arg === "AWS::NoValue" ? noValue : this.ref(String(arg));
        case "Fn::Sub":
          if (typeof arg === "string") return this.sub(arg, {});
          return this.sub(String((arg as Json[])[0]), ((arg as Json[])[1] ?? {}) as Record<string, Json>);
        case "Fn::GetAtt": {
          const [logicalId, attribute] = arg as [string, string];
          return this.getAtt(logicalId, attribute);
        }
        case "Fn::ImportValue":
          return this.importValue(String(this.resolve(arg)));
        case "Fn::If": {
          const [name, whenTrue, whenFalse] = arg as [string, Json, Json];
          return this.resolve(this.condition(name) ? whenTrue : whenFalse);
        }
        case "Fn::Join": {
          const [separator, list] = arg as [string, Json];
          return (this.resolve(list) as Json[]).map(String).join(separator);
        }
        case "Fn::Split": {
          const [separator, text] = arg as [string, Json];
          return String(this.resolve(text)).split(separator);
        }
        case "Fn::Select": {
          const [index, list] = arg as [Json, Json];
          return (this.resolve(list) as Json[])[Number(this.resolve(index))] ?? null;
        }
        case "Fn::FindInMap": {
          const [map, top, second] = (arg as Json[]).map((v) => String(this.resolve(v)));
          const found = (
            this.template.Mappings?.[map ?? ""] as Record<string, Record<string, Json>> | undefined
          )?.[top ?? ""]?.[second ?? ""];
          if (found === undefined)
            throw new Error(`${this.template.name}.yaml: no mapping ${map}.${top}.${second}`);
          return found;
        }
        case "Fn::GetAZs":
          return [`${this.stack.region}a`, `${this.stack.region}b`, `${this.stack.region}c`];
        case "Fn::Base64":
          return this.resolve(arg);
        case "Fn::Cidr":
          return [
            "10.0.0.0/20",
            "10.0.16.0/20",
            "10.0.32.0/20",
            "10.0.48.0/20",
            "10.0.64.0/20",
            "10.0.80.0/20",
          ];
        case "Fn::Equals":
        case "Fn::Not":
        case "Fn::And":
        case "Fn::Or":
        case "Condition":
          return this.truth(value);
        default:
          if (fn.startsWith("Fn::")) throw new Error(`${this.template.name}.yaml: unsupported ${fn}`);
      }
    }
    const out: Record<string, Json> = {};
    for (const [key, v] of Object.entries(value)) {
      const resolved = this.resolve(v);
      if (resolved !== noValue) out[key] = resolved;
    }
    return out;
  }
}

export function stackArn(region: string, account: string, stackName: string): string {
  return `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/${stackIdStandIn}`;
}

function loadTemplate(key: StackKey, options: ResolveOptions): Template {
  const file = repoPath("cloudformation", `${key}.yaml`);
  const text = options.templateText?.[key];
  return text === undefined ? parseTemplate(file) : parseTemplateText(text, file);
}

/** Every stack of one environment, resolved. Stacks resolve lazily so imports can follow exports. */
export function resolveEnvironment(
  config: EnvironmentConfig,
  options: ResolveOptions = {},
): Map<StackKey, ResolvedStack> {
  const aws = config.aws;
  if (!aws) throw new Error(`environment ${config.name} has no aws block`);
  const names = stackNames(aws);
  const byName = new Map<string, StackKey>(allStacks.map((k) => [names[k], k]));
  const done = new Map<StackKey, ResolvedStack>();
  const resolvers = new Map<StackKey, Resolver>();

  const resolverFor = (key: StackKey): Resolver => {
    const existing = resolvers.get(key);
    if (existing) return existing;
    const plan = planStack(config, key, {
      repository: options.repository ?? exampleRepository,
      allEnvironments: options.allEnvironments ?? [config],
    });
    const resolver = new Resolver(
      loadTemplate(key, options),
      {
        key,
        stackName: plan.stackName,
        region: aws.region,
        account: aws.accountId,
        parameters: { ...plan.parameters, ...(options.overrides?.[key] ?? {}) },
      },
      importValue,
    );
    resolvers.set(key, resolver);
    return resolver;
  };

  function importValue(exportName: string): string {
    for (const [stackName, key] of byName) {
      if (!exportName.startsWith(`${stackName}-`)) continue;
      const resolver = resolverFor(key);
      for (const [name, output] of Object.entries(resolver.template.Outputs ?? {})) {
        const exported = output.Export as { Name?: Json } | undefined;
        if (exported?.Name === undefined) continue;
        if (String(resolver.resolve(exported.Name)) !== exportName) continue;
        if (output.Condition !== undefined && !resolver.condition(String(output.Condition))) {
          throw new Error(
            `${exportName} is exported by ${key}.yaml only under condition ${String(output.Condition)}`,
          );
        }
        void name;
        return String(resolver.resolve(output.Value ?? null));
      }
    }
    throw new Error(`no stack of ${config.name} exports ${exportName}`);
  }

  for (const key of allStacks) {
    const resolver = resolverFor(key);
    const resources = new Map<string, ResolvedResource>();
    for (const [logicalId, resource] of Object.entries(resolver.template.Resources)) {
      if (resource.Condition !== undefined && !resolver.condition(resource.Condition)) continue;
      resources.set(logicalId, {
        logicalId,
        type: resource.Type,
        properties: (resolver.resolve(resource.Properties ?? {}) ?? {}) as Record<string, Json>,
        metadata: resource.Metadata,
      });
    }
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(resolver.template.Outputs ?? {})) {
      if (output.Condition !== undefined && !resolver.condition(String(output.Condition))) continue;
      outputs[name] = String(resolver.resolve(output.Value ?? null));
    }
    done.set(key, {
      key,
      stackName: resolver.stack.stackName,
      stackArn: stackArn(aws.region, aws.accountId, resolver.stack.stackName),
      environment: config.name,
      region: aws.region,
      account: aws.accountId,
      parameters: resolver.stack.parameters,
      parameterTypes: Object.fromEntries(
        Object.entries(resolver.template.Parameters ?? {}).map(([name, spec]) => [name, String(spec.Type)]),
      ),
      parameterDefaults: Object.fromEntries(
        Object.entries(resolver.template.Parameters ?? {})
          .filter(([, spec]) => spec.Default !== undefined)
          .map(([name, spec]) => [name, String(spec.Default)]),
      ),
      resources,
      outputs,
    });
  }
  return done;
}
