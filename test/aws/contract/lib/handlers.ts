/**
 * What CloudFormation needs to create, read, update and delete each resource type: the `handlers`
 * permission lists of the resource provider schemas published in the CloudFormation registry. cfn-lint
 * ships these schemas (installed into .venv by scripts/setup-tools.sh), so they are read offline and
 * move with the cfn-lint version the scanners use.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expandIamActions } from "@cloud-copilot/iam-expand";
import { repoPath } from "../../../support/repo.js";

const phases = ["create", "read", "update", "delete"] as const;
export type Phase = (typeof phases)[number];

function schemasDir(): string {
  const lib = repoPath(".venv", "tools", "lib");
  if (!existsSync(lib)) throw new Error(`${lib} is missing; run scripts/setup-tools.sh`);
  for (const python of readdirSync(lib)) {
    const dir = path.join(lib, python, "site-packages", "cfnlint", "data", "schemas");
    if (existsSync(dir)) return dir;
  }
  throw new Error("cfn-lint's resource schemas are not installed; run scripts/setup-tools.sh");
}

export type HandlerPermissions = Record<Phase, string[]>;

/** Handler permissions of one resource type in one region (types are the same in every region). */
export function handlerPermissions(type: string, region = "eu-west-2"): HandlerPermissions {
  const dir = schemasDir();
  const providers = JSON.parse(readFileSync(path.join(dir, "providers", `${region}.json`), "utf8")) as Record<
    string,
    string
  >;
  const id = providers[type];
  if (!id) throw new Error(`cfn-lint knows no resource type ${type} in ${region}`);
  const schema = JSON.parse(readFileSync(path.join(dir, "resources", `${id}.json`), "utf8")) as {
    handlers?: Partial<Record<Phase, { permissions?: string[] }>>;
  };
  return Object.fromEntries(
    phases.map((p) => [p, schema.handlers?.[p]?.permissions ?? []]),
  ) as HandlerPermissions;
}

/** Every concrete action a policy's Allow statements grant (wildcards expanded from iam-data). */
export async function grantedActions(policies: { policy: unknown }[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const { policy } of policies) {
    const statements = ((policy as { Statement?: unknown[] }).Statement ?? []) as {
      Effect: string;
      Action?: string | string[];
    }[];
    for (const s of statements) {
      if (s.Effect !== "Allow") continue;
      for (const action of await expandIamActions([s.Action ?? []].flat())) out.add(action.toLowerCase());
    }
  }
  return out;
}

/** The concrete actions a pattern from a handler list stands for. */
export async function expand(pattern: string): Promise<string[]> {
  return (await expandIamActions(pattern)).map((a) => a.toLowerCase());
}
