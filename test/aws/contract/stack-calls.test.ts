/**
 * Contract between the stack workflows and the roles they assume: the calls
 * aws-actions/aws-cloudformation-github-deploy makes (modelled from its source at the commit the
 * workflows pin; a different pin fails here until the model is reviewed again) and every `aws` CLI
 * line of the workflows' scripts, for each stack of each environment, judged by the IAM simulator
 * against the infrastructure role (deploy-stacks.yml) and the plan role (pull requests). Nothing the
 * roles grant goes unused.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EnvironmentConfig } from "#core/environments/schema.js";
import { deployOrder, stackNames, workersRepositoryName } from "#core/infrastructure/parameters.js";
import { type EnvironmentModel, environmentModel, judge, refusals } from "./lib/contract.js";
import { allEnvironments } from "./lib/environments.js";
import { grantedActions } from "./lib/handlers.js";
import type { RecordedCall } from "./lib/recorder.js";
import { inShape, shapes } from "./lib/shapes.js";
import { loadWorkflows, type Workflow, type WorkflowStep } from "./lib/workflows.js";

const environments = allEnvironments();
const deployAction = "aws-actions/aws-cloudformation-github-deploy";
/** The commit whose source src/deploy.ts and src/event-streaming.ts the model below follows (v2.2.0). */
const reviewedCommit = "81e3b03d2266bcb76c4bcc37a7d71d9cb67838bb";
const runId = "1234567890";
const changeSetArn = (model: EnvironmentModel, name: string) =>
  `arn:aws:cloudformation:${model.context.region}:${model.context.account}:changeSet/${name}/0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d`;

function call(operation: string, input: Record<string, unknown>): RecordedCall {
  return { service: "cloudformation", operation, input, via: "mock" };
}

/**
 * The calls of the deploy action for one stack. deploy: DescribeStacks, CreateChangeSet (with the
 * execution role and the stack tags), DescribeChangeSet until it settles, ExecuteChangeSet,
 * DescribeEvents while it runs, DescribeStacks until it completes; on an empty or failed change set
 * DescribeEvents on the change set and DeleteChangeSet. create-only stops after DescribeChangeSet.
 */
function actionCalls(model: EnvironmentModel, step: WorkflowStep, stack: string): RecordedCall[] {
  const w = step.with ?? {};
  const name = String(w["change-set-name"])
    .replace(/\$\{\{ github\.run_id \}\}/, runId)
    .replace(/\$\{\{ github\.run_attempt \}\}/, "1")
    .replace(/\$\{\{ github\.event\.pull_request\.number \}\}/, "17")
    .replace(/\$\{\{ (inputs|matrix)\.environment \}\}/, model.config.name);
  assert.doesNotMatch(
    name,
    /\$\{\{/,
    `change-set-name ${String(w["change-set-name"])} has an expression the model does not know`,
  );
  const role = w["role-arn"] ? `${model.config.aws!.infrastructureRoleArn}-cfn` : undefined;
  const createOnly = w.mode === "create-only";
  const calls = [
    call("DescribeStacks", { StackName: stack }),
    call("CreateChangeSet", {
      StackName: stack,
      ChangeSetName: name,
      ...(role ? { RoleARN: role } : {}),
      ...(w.tags ? { Tags: [{ Key: "camunda:environment", Value: model.config.name }] } : {}),
    }),
    call("DescribeChangeSet", { StackName: stack, ChangeSetName: name }),
    call("DescribeEvents", { ChangeSetName: changeSetArn(model, name) }),
    call("DeleteChangeSet", { StackName: stack, ChangeSetName: name }),
  ];
  if (!createOnly) {
    calls.push(
      call("ExecuteChangeSet", { StackName: stack, ChangeSetName: name }),
      call("DescribeEvents", { StackName: stack }),
      call("DescribeStacks", { StackName: stack }),
    );
  }
  return calls;
}

/** The `aws` CLI lines of a workflow's scripts, as API calls with the stacks they name. */
function cliCalls(model: EnvironmentModel, workflow: Workflow): RecordedCall[] {
  const names = stackNames(model.config.aws!);
  const out: RecordedCall[] = [];
  for (const job of workflow.jobs) {
    for (const step of job.steps ?? []) {
      for (const match of (step.run ?? "").matchAll(/\baws ([a-z0-9-]+) ([a-z0-9-]+)([^\n]*)/g)) {
        const [, service, command, args] = match as unknown as [string, string, string, string];
        const operation = command.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
        const stackVariable = /--stack-name "\$(\w+)"/.exec(args)?.[1];
        // $name loops over every stack; $STACK is one step output.
        const stacks =
          stackVariable === "name"
            ? deployOrder.map((k) => names[k])
            : stackVariable
              ? [
                  names[
                    String(
                      step.with?.[stackVariable] ??
                        (step as { env?: Record<string, string> }).env?.[stackVariable],
                    ).replace(/^\$\{\{ steps\.plan\.outputs\.(\w+)-stack \}\}$/, "$1") as keyof typeof names
                  ],
                ]
              : [];
        assert.ok(
          stacks.length > 0 && stacks.every(Boolean),
          `${workflow.file}: cannot tell which stack "aws ${service} ${command}" acts on`,
        );
        for (const stack of stacks)
          out.push({ service, operation, input: { StackName: stack }, via: "mock" });
      }
    }
  }
  return out;
}

function workflowCalls(model: EnvironmentModel, file: string): RecordedCall[] {
  const workflow = loadWorkflows().find((w) => w.file === file)!;
  const names = stackNames(model.config.aws!);
  const calls: RecordedCall[] = [];
  for (const job of workflow.jobs) {
    for (const step of job.steps ?? []) {
      if (!step.uses?.startsWith(`${deployAction}@`)) continue;
      const key = String(step.with?.name).replace(/^\$\{\{ steps\.plan\.outputs\.(\w+)-stack \}\}$/, "$1");
      calls.push(...actionCalls(model, step, names[key as keyof typeof names]));
    }
  }
  return [...calls, ...cliCalls(model, workflow)];
}

async function unusedGrants(
  model: EnvironmentModel,
  roleId: string,
  calls: RecordedCall[],
): Promise<string[]> {
  const role = model.roles.get(roleId)!;
  const verdicts = await judge(role, calls, model.context);
  const used = new Set(
    verdicts.filter((v) => v.decision === "Allowed").map((v) => v.request.action.toLowerCase()),
  );
  return [...(await grantedActions(role.policies))].filter((a) => !used.has(a)).sort();
}

function byName(layout: EnvironmentConfig[], name: string): EnvironmentConfig {
  return layout.find((e) => e.name === name)!;
}

describe("stack workflow calls against the infrastructure and plan roles", () => {
  test(`the workflows pin ${deployAction} at the reviewed commit`, () => {
    const pins = new Set<string>();
    for (const workflow of loadWorkflows())
      for (const match of workflow.text.matchAll(new RegExp(`uses: ${deployAction}@([0-9a-f]{40})`, "g")))
        pins.add(match[1]!);
    assert.deepEqual([...pins], [reviewedCommit], "a new pin needs its calls reviewed in this file first");
  });

  for (const shape of shapes) {
    for (const name of ["dev", "staging", "prod"]) {
      test(`${shape}, ${name}: deploy-stacks.yml's calls are allowed to the infrastructure role, except deleting a stack`, async () => {
        const layout = inShape(environments, shape);
        const model = environmentModel(byName(layout, name), { allEnvironments: layout });
        const calls = workflowCalls(model, "deploy-stacks.yml");
        const refused = refusals(
          await judge(model.roles.get("bootstrap.InfrastructureRole")!, calls, model.context),
        );
        assert.deepEqual(refused, []);
        // The deploy action deletes a stack left in ROLLBACK_COMPLETE before recreating it; that
        // stays with an administrator (docs/aws.md).
        const deleteStack = await judge(
          model.roles.get("bootstrap.InfrastructureRole")!,
          [call("DeleteStack", { StackName: stackNames(model.config.aws!).data })],
          model.context,
        );
        assert.equal(deleteStack[0]?.decision, "ImplicitlyDenied");
        assert.deepEqual(await unusedGrants(model, "bootstrap.InfrastructureRole", calls), []);
      });

      test(`${shape}, ${name}: the change-set workflow's calls are allowed to the plan role, and it can change nothing`, async () => {
        const layout = inShape(environments, shape);
        const model = environmentModel(byName(layout, name), { allEnvironments: layout });
        const calls = workflowCalls(model, "infrastructure-changeset.yml");
        const plan = model.roles.get("bootstrap.PlanRole")!;
        assert.deepEqual(refusals(await judge(plan, calls, model.context)), []);
        assert.deepEqual(await unusedGrants(model, "bootstrap.PlanRole", calls), []);
        // What a pull request could try with the role: run as the execution role, execute, delete.
        const stack = stackNames(model.config.aws!).app;
        const attempts = [
          call("CreateChangeSet", {
            StackName: stack,
            ChangeSetName: "pr-17-x",
            RoleARN: `${model.config.aws!.infrastructureRoleArn}-cfn`,
          }),
          call("CreateChangeSet", { StackName: stack, ChangeSetName: "app-1-1" }),
          call("ExecuteChangeSet", { StackName: stack, ChangeSetName: `pr-${name}-17-x` }),
          call("DeleteStack", { StackName: stack }),
          call("UpdateTerminationProtection", { StackName: stack }),
        ];
        const verdicts = await judge(plan, attempts, model.context);
        const allowed = verdicts
          .filter((v) => v.decision === "Allowed")
          .map((v) => `${v.request.action} ${JSON.stringify(v.request.context ?? {})}`);
        // The only allowed requests are the SSM reads a CreateChangeSet implies.
        assert.deepEqual(
          allowed.filter((a) => !a.startsWith("ssm:GetParameters")),
          [],
        );
      });
    }
  }

  test("deploy-infrastructure.yml's workers image step: its calls are allowed to the deploy role, and only there", async () => {
    const workflow = loadWorkflows().find((w) => w.file === "deploy-infrastructure.yml")!;
    const runtime = workflow.jobs.find((j) => j.id === "runtime")!;
    const scripts = (runtime.steps ?? []).map((step) => step.run ?? "").join("\n");
    const commands = [...scripts.matchAll(/\baws ([a-z0-9-]+) ([a-z0-9-]+)/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual([...new Set(commands)].sort(), ["ecr describe-images", "ecr get-login-password"]);
    assert.match(
      scripts,
      /docker buildx build [^\n]*\\\n[^\n]*--tag "\$REGISTRY\/\$REPOSITORY:\$TAG"[\s\S]*--push \./,
    );
    // The repository name the job computes is the one the stacks create.
    assert.match(scripts, /echo "workers-repository=\$\{application,,\}\/workers"/);
    for (const shape of shapes) {
      const layout = inShape(environments, shape);
      for (const name of ["dev", "prod"]) {
        const model = environmentModel(byName(layout, name), { allEnvironments: layout });
        const repositoryName = workersRepositoryName(model.config.aws!);
        assert.equal(repositoryName, `${model.config.aws!.codeDeploy.application.toLowerCase()}/workers`);
        const ecr = (operation: string): RecordedCall => ({
          service: "ecr",
          operation,
          input: { repositoryName },
          via: "mock",
        });
        const calls = [
          ecr("DescribeImages"),
          ecr("GetLoginPassword"),
          // docker buildx ... --push: the registry protocol, authorized as these actions.
          ...[
            "BatchCheckLayerAvailability",
            "InitiateLayerUpload",
            "UploadLayerPart",
            "CompleteLayerUpload",
            "PutImage",
            "BatchGetImage",
          ].map(ecr),
        ];
        const deploy = model.roles.get("bootstrap.DeployRole")!;
        assert.deepEqual(refusals(await judge(deploy, calls, model.context)), [], `${shape} ${name}`);
        // No other role of the environment may push the image; the hosts may only pull it.
        for (const other of ["bootstrap.InfrastructureRole", "bootstrap.PlanRole", "app.InstanceRole"]) {
          const verdicts = await judge(
            model.roles.get(other)!,
            calls.filter((c) => c.operation === "PutImage"),
            model.context,
          );
          assert.notEqual(verdicts[0]?.decision, "Allowed", `${other} must not push the workers image`);
        }
      }
    }
  });

  test("another environment's stacks are out of reach (one shared account)", async () => {
    const layout = inShape(environments, "shared-account");
    const dev = environmentModel(byName(layout, "dev"), { allEnvironments: layout });
    const prod = environmentModel(byName(layout, "prod"), { allEnvironments: layout });
    const calls = workflowCalls(prod, "deploy-stacks.yml");
    for (const role of ["bootstrap.InfrastructureRole", "bootstrap.PlanRole"]) {
      const verdicts = await judge(dev.roles.get(role)!, calls, prod.context);
      const allowed = verdicts.filter(
        (v) => v.decision === "Allowed" && !v.request.action.startsWith("ssm:"),
      );
      assert.deepEqual(
        allowed.map((v) => `${v.request.action} ${v.request.resource}`),
        [],
        role,
      );
    }
  });

  test("a role without a permission the action needs is caught (the check can fail)", async () => {
    const dev = byName(environments, "dev");
    const { readFileSync } = await import("node:fs");
    const { repoPath } = await import("../../support/repo.js");
    const text = readFileSync(repoPath("cloudformation", "bootstrap.yaml"), "utf8").replace(
      "                  - cloudformation:DescribeEvents\n                  - cloudformation:UpdateTerminationProtection",
      "                  - cloudformation:UpdateTerminationProtection",
    );
    const model = environmentModel(dev, { allEnvironments: environments, templateText: { bootstrap: text } });
    const refused = refusals(
      await judge(
        model.roles.get("bootstrap.InfrastructureRole")!,
        workflowCalls(model, "deploy-stacks.yml"),
        model.context,
      ),
    );
    assert.ok(
      refused.some((r) => r.includes("needs cloudformation:DescribeEvents")),
      refused.join("\n"),
    );
  });
});
