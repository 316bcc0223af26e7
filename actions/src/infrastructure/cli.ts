/**
 * Prints or writes the CloudFormation parameters of one environment's stacks, for the deploy
 * workflow and for an administrator bootstrapping an account:
 *
 *   npx tsx actions/src/infrastructure/cli.ts <environment> [--stack <name>] [--repository owner/name]
 *        [--out <dir>] [--format json|github-output]
 *
 * --out writes <dir>/<stack>.json (CloudFormation parameter files); --format github-output prints
 * `key=value` lines for $GITHUB_OUTPUT (stack names, parameter files, role ARNs).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { environmentsDir, listEnvironments, loadEnvironment } from "#core/environments/load.js";
import { errorMessage, UsageError, UserError } from "#core/util/errors.js";
import {
  allStacks,
  assertAwsEnvironment,
  deployOrder,
  environmentProblems,
  executionRoleArn,
  planRoleArn,
  planStack,
  type StackKey,
  type StackPlan,
  stackTags,
  toParameterFile,
} from "./parameters.js";

/** `root`: the checkout whose environments/ to read (the entry below passes the working directory). */
export function run(argv: string[], env: NodeJS.ProcessEnv = process.env, root = process.cwd()): string {
  const dir = environmentsDir(root);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(
      `${errorMessage(error)}; usage: cli.ts <environment> [--stack name] [--repository owner/name] [--out dir] [--format json|github-output].`,
    );
  }
  const { values, positionals } = parsed;
  const name = positionals[0];
  if (!name || positionals.length > 1) {
    throw new UsageError(`give exactly one environment name (one of ${listEnvironments(dir).join(", ")}).`);
  }
  const config = loadEnvironment(name, { dir }).config;
  assertAwsEnvironment(config);
  const problems = environmentProblems(config);
  if (problems.length > 0) {
    throw new UsageError(
      `environments/${name}.yaml does not fit the stacks (${problems.length} problem(s)); fix the field(s) below.`,
      problems,
    );
  }
  const stack = values.stack as StackKey | undefined;
  if (stack && !allStacks.includes(stack)) {
    throw new UsageError(`unknown stack "${stack}"; choose one of ${allStacks.join(", ")}.`);
  }
  const keys: StackKey[] = stack ? [stack] : [...deployOrder];
  const allEnvironments = listEnvironments(dir).map((n) => loadEnvironment(n, { dir }).config);
  const repository = values.repository ?? env.GITHUB_REPOSITORY;
  const plans: StackPlan[] = keys.map((key) => planStack(config, key, { repository, allEnvironments }));

  const files: Record<string, string> = {};
  if (values.out) {
    const dir = path.resolve(values.out);
    mkdirSync(dir, { recursive: true });
    for (const plan of plans) {
      const file = path.join(dir, `${plan.key}.json`);
      writeFileSync(file, `${JSON.stringify(toParameterFile(plan.parameters), null, 2)}\n`);
      files[plan.key] = file;
    }
  }
  if (values.format === "github-output") {
    const lines = [
      `region=${config.aws.region}`,
      `infrastructure-role=${config.aws.infrastructureRoleArn}`,
      `plan-role=${planRoleArn(config.aws)}`,
      `execution-role=${executionRoleArn(config.aws)}`,
      `stack-tags=${JSON.stringify(stackTags(config.name))}`,
    ];
    for (const plan of plans) {
      lines.push(`${plan.key}-stack=${plan.stackName}`, `${plan.key}-template=${plan.template}`);
      lines.push(`${plan.key}-capabilities=${plan.capabilities.join(",") || "CAPABILITY_IAM"}`);
      if (files[plan.key]) lines.push(`${plan.key}-parameters=file://${files[plan.key]}`);
    }
    return `${lines.join("\n")}\n`;
  }
  if (values.format && values.format !== "json") {
    throw new UsageError(`unknown --format "${values.format}"; use json or github-output.`);
  }
  return `${JSON.stringify(plans, null, 2)}\n`;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stack: { type: "string" },
      repository: { type: "string" },
      out: { type: "string" },
      format: { type: "string" },
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(run(process.argv.slice(2)));
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`${error.message}\n${error.details.map((d) => `  ${d}\n`).join("")}`);
      process.exitCode = error.exitCode;
    } else {
      throw error;
    }
  }
}
