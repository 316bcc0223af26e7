/**
 * Reads the CloudFormation templates for the tests: YAML with CloudFormation's short-form tags
 * (!Ref, !Sub, !GetAtt, ...), turned into the long JSON form ({"Ref": ...}, {"Fn::Sub": ...}) that
 * CloudFormation itself sees, so the policy tests reason about one shape only.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { repoPath } from "../../support/repo.js";

export const templatesDir = repoPath("cloudformation");

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export interface Template {
  file: string;
  name: string;
  Metadata?: Record<string, Json>;
  Parameters: Record<string, Record<string, Json>>;
  Conditions?: Record<string, Json>;
  Mappings?: Record<string, Json>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, Record<string, Json>>;
}
export interface Resource {
  Type: string;
  Condition?: string;
  Metadata?: Record<string, Json>;
  Properties?: Record<string, Json>;
}

export function templateFiles(): string[] {
  return readdirSync(templatesDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => path.join(templatesDir, f));
}

function convert(node: unknown): Json {
  if (node === null || node === undefined) return null;
  const tag = (node as { tag?: string }).tag;
  let value: Json;
  if (isMap(node)) {
    const out: Record<string, Json> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = convert(pair.value);
    }
    value = out;
  } else if (isSeq(node)) {
    value = node.items.map((item) => convert(item));
  } else if (isScalar(node)) {
    value = node.value as Json;
  } else {
    throw new Error(`unexpected YAML node ${String(node)}`);
  }
  if (!tag?.startsWith("!")) return value;
  const fn = tag.slice(1);
  if (fn === "Ref") return { Ref: value };
  if (fn === "Condition") return { Condition: value };
  if (fn === "GetAtt" && typeof value === "string") {
    const dot = value.indexOf(".");
    return { "Fn::GetAtt": [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${fn}`]: value };
}

export function parseTemplate(file: string): Template {
  return parseTemplateText(readFileSync(file, "utf8"), file);
}

/** parseTemplate for text in memory (tests that alter a template to prove a check can fail). */
export function parseTemplateText(text: string, file: string): Template {
  // Short-form tags are unknown to the YAML library: it keeps them on the nodes (with a warning we
  // do not need) and convert() turns them into the long form.
  const doc = parseDocument(text, { logLevel: "error" });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
  const body = convert(doc.contents as Node) as unknown as Omit<Template, "file" | "name">;
  return { ...body, file, name: path.basename(file, ".yaml") };
}

export function loadTemplates(): Map<string, Template> {
  return new Map(templateFiles().map((f) => [path.basename(f, ".yaml"), parseTemplate(f)]));
}

/** Every IAM statement in a template, with where it sits (role policy, trust policy, resource policy). */
export interface StatementAt {
  resource: string;
  kind: "identity" | "trust" | "resource";
  policy: string;
  statement: Record<string, Json>;
}

export function statements(template: Template): StatementAt[] {
  const out: StatementAt[] = [];
  const push = (resource: string, kind: StatementAt["kind"], policy: string, doc: Json | undefined) => {
    const list = (doc as { Statement?: Json[] } | undefined)?.Statement ?? [];
    for (const statement of list)
      out.push({ resource, kind, policy, statement: statement as Record<string, Json> });
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    if (resource.Type === "AWS::IAM::Role") {
      push(id, "trust", "AssumeRolePolicyDocument", p.AssumeRolePolicyDocument);
      for (const policy of (p.Policies as { PolicyName: string; PolicyDocument: Json }[] | undefined) ?? []) {
        push(id, "identity", policy.PolicyName, policy.PolicyDocument);
      }
    } else if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy") {
      push(id, "identity", id, p.PolicyDocument);
    } else if (resource.Type === "AWS::S3::BucketPolicy" || resource.Type === "AWS::SNS::TopicPolicy") {
      push(id, "resource", id, p.PolicyDocument);
    } else if (resource.Type === "AWS::KMS::Key") {
      push(id, "resource", "KeyPolicy", p.KeyPolicy);
    }
  }
  return out;
}

export function asList(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
