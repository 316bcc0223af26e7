/**
 * Least privilege on the real engine with authorization on, as environments/local.yaml grants it (the
 * same grants as dev, staging and prod, which only add identity administration and the smoke test to
 * the release user): each technical user and each group makes the calls its job needs, and every
 * other call is refused with a 403 whose sentence names the user, the permission and where to grant
 * it. The calls each user needs are listed in docs/identities.md from these tests.
 *
 * The models are deployed into a tenant of this file's own and its users made members of it (the
 * engine's tenant check, on with authorization, stands in for the single-tenant real engines).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import type { CamundaClient } from "#core/camunda/index.js";
import { planIdentities } from "#core/identities/index.js";
import { deployModels } from "../../../processes/tests/support/deployment.js";
import { testEngine } from "../../support/engine.js";
import {
  joinTenant,
  type ProvisionedEnvironment,
  provisionEnvironment,
  refusal,
} from "../../support/identities.js";
import { repoPath } from "../../support/repo.js";

const engine = testEngine();
const admin = engine.client;
const tag = randomBytes(4).toString("hex");
const tenant = `lp${tag}`;
const users = [
  "release",
  "plan",
  "workers",
  "monitoring",
  "underwriter",
  "seniorunderwriter",
  "supervisor",
  "clerk",
];
const yellow = JSON.parse(readFileSync(repoPath("processes/examples/yellow.json"), "utf8")).variables;

/** The sentence every refusal must be: who, what, which permission, and where to grant it. */
function assertSentence(message: string, user: string, lacks: RegExp): void {
  assert.match(
    message,
    new RegExp(`^user "${user}" may not (GET|POST|PUT|DELETE) \\S+ \\(403\\): `),
    message,
  );
  assert.match(message, lacks, message);
  assert.match(
    message,
    /to allow it, grant \{ resource: \w+, ids: \[[^\]]+\], permissions: \[\w+\] \} in environments\/local\.yaml under identities/,
    message,
  );
}

let local: ProvisionedEnvironment;
let definitions: Record<string, string>;

async function startAt(activityId: string | null, businessKey: string, variables: Record<string, unknown>) {
  const started = await admin.ok(
    admin.api.POST("/process-definition/{id}/start", {
      params: { path: { id: definitions.insurance_process! } },
      body: {
        businessKey,
        variables: variables as never,
        ...(activityId ? { startInstructions: [{ type: "startBeforeActivity", activityId }] } : {}),
      } as never,
    }),
  );
  return started.id!;
}

describe("least privilege on the real engine (environments/local.yaml)", () => {
  before(async () => {
    local = await provisionEnvironment("local");
    definitions = (await deployModels(admin, tenant, engine.logFile)).processDefinitionIds;
    await joinTenant(tenant, users);
  });

  describe("workers", () => {
    let workers: CamundaClient;
    let instanceId: string;
    const businessKey = `LP-WORKERS-${tag}`;
    before(async () => {
      workers = local.as("workers");
      instanceId = await startAt(null, businessKey, {
        ...yellow,
        applicationId: { value: businessKey, type: "String" },
      });
    });

    it("fetch and lock, extend, fail and complete the external tasks of its processes, with only the variables asked for", async () => {
      const fetch = () =>
        workers.ok(
          workers.api.POST("/external-task/fetchAndLock", {
            body: {
              workerId: `lp-${tag}`,
              maxTasks: 1,
              topics: [
                {
                  topicName: "validate-application",
                  lockDuration: 60_000,
                  businessKey,
                  variables: ["applicantName", "documents"],
                },
              ],
            } as never,
          }),
        );
      const [task] = await fetch();
      assert.ok(task?.id, "the workers user got no task");
      assert.deepEqual(Object.keys(task.variables ?? {}).sort(), ["applicantName", "documents"]);
      await workers.ok(
        workers.api.POST("/external-task/{id}/extendLock", {
          params: { path: { id: task.id } },
          body: { workerId: `lp-${tag}`, newDuration: 60_000 },
        }),
      );
      await workers.ok(
        workers.api.POST("/external-task/{id}/failure", {
          params: { path: { id: task.id } },
          body: { workerId: `lp-${tag}`, errorMessage: "try again", retries: 1, retryTimeout: 0 },
        }),
      );
      const [again] = await fetch();
      assert.equal(again?.id, task.id);
      await workers.ok(
        workers.api.POST("/external-task/{id}/complete", {
          params: { path: { id: task.id } },
          body: {
            workerId: `lp-${tag}`,
            variables: {
              applicationComplete: { value: true, type: "Boolean" },
              missingDocuments: { value: "[]", type: "Json" },
            },
          },
        }),
      );
      const history = await admin.ok(
        admin.api.GET("/history/activity-instance", {
          params: { query: { processInstanceId: instanceId, activityId: "Task_ValidateApplication" } },
        }),
      );
      assert.ok(history[0]?.endTime, "the validation task was completed");
    });

    it("may not deploy, administer users, groups or grants, read variables, start instances or delete itself", async () => {
      const deploy = await refusal(
        workers.deploy({
          name: `lp-${tag}`,
          resources: [{ name: "x.dmn", content: readFileSync(repoPath("processes/risk_rating.dmn")) }],
        }),
      );
      assert.equal(deploy.status, 403);
      assertSentence(deploy.message, "workers", /it lacks CREATE on Deployment;/);
      const refusals = [
        [
          workers.api.POST("/user/create", {
            body: { profile: { id: `x${tag}` }, credentials: { password: "x".repeat(20) } },
          }),
          /CREATE on User/,
        ],
        [workers.api.POST("/group/create", { body: { id: `g-${tag}`, name: "x" } }), /CREATE on Group/],
        [
          workers.api.PUT("/group/{id}/members/{userId}", {
            params: { path: { id: "underwriters", userId: "workers" } },
          }),
          /CREATE on GroupMembership "underwriters"/,
        ],
        [
          workers.api.POST("/authorization/create", {
            body: { type: 1, permissions: ["ALL"], userId: "workers", resourceType: 0, resourceId: "*" },
          }),
          /CREATE on Authorization/,
        ],
        [
          workers.api.DELETE("/user/{id}", { params: { path: { id: "workers" } } }),
          /DELETE on User "workers"/,
        ],
        [
          workers.api.GET("/process-instance/{id}/variables", { params: { path: { id: instanceId } } }),
          /READ_INSTANCE_VARIABLE on ProcessDefinition "insurance_process"/,
        ],
        [
          workers.api.POST("/process-definition/{id}/start", {
            params: { path: { id: definitions.insurance_process! } },
            body: {},
          }),
          /CREATE on ProcessInstance/,
        ],
      ] as const;
      for (const [call, lacks] of refusals) {
        const error = await refusal(
          workers.ok(call as Promise<{ data?: unknown; error?: unknown; response: Response }>),
        );
        assert.equal(error.status, 403, error.message);
        assertSentence(error.message, "workers", lacks);
      }
      // Queries are filtered rather than refused: it sees no users but itself, no group, no user task.
      const seen = await workers.ok(workers.api.GET("/user"));
      assert.deepEqual(
        seen.map((u) => u.id),
        ["workers"],
      );
      assert.deepEqual(await workers.ok(workers.api.GET("/group")), []);
      assert.deepEqual(
        await workers.ok(
          workers.api.GET("/task", { params: { query: { processInstanceBusinessKey: businessKey } } }),
        ),
        [],
      );
    });

    it("gets no external task of a process it is not granted", async () => {
      const key = `lp_other_${tag}`;
      const topic = `lp-other-${tag}`;
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="${key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>
    <bpmn:serviceTask id="w" camunda:type="external" camunda:topic="${topic}"/><bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`;
      const deployed = await admin.deploy({
        name: key,
        tenantId: tenant,
        resources: [{ name: `${key}.bpmn`, content: xml }],
      });
      const id = Object.keys(deployed.deployedProcessDefinitions ?? {})[0]!;
      await admin.ok(
        admin.api.POST("/process-definition/{id}/start", { params: { path: { id } }, body: {} }),
      );
      const fetched = await workers.ok(
        workers.api.POST("/external-task/fetchAndLock", {
          body: {
            workerId: `lp-${tag}`,
            maxTasks: 5,
            topics: [{ topicName: topic, lockDuration: 10_000 }],
          } as never,
        }),
      );
      assert.deepEqual(fetched, []);
      const count = await admin.ok(
        admin.api.GET("/external-task/count", { params: { query: { topicName: topic } } }),
      );
      assert.equal(count.count, 1, "the task is there; the workers user just may not see it");
    });
  });

  describe("plan (read-only)", () => {
    it("reads deployments, definitions, their XML, running counts and every identity; deploys and reads variables nothing", async () => {
      const plan = local.as("plan");
      const deployments = await plan.ok(
        plan.api.GET("/deployment", { params: { query: { tenantIdIn: tenant } } }),
      );
      assert.ok(deployments.length >= 1);
      const xml = await plan.ok(
        plan.api.GET("/process-definition/{id}/xml", {
          params: { path: { id: definitions.insurance_process! } },
        }),
      );
      assert.match(xml.bpmn20Xml ?? "", /Task_ReviewApplication/);
      const instanceId = await startAt(null, `LP-PLAN-${tag}`, yellow);
      const count = await plan.ok(
        plan.api.GET("/process-instance/count", {
          params: { query: { processDefinitionId: definitions.insurance_process! } },
        }),
      );
      assert.ok((count.count ?? 0) >= 1);
      // The identity plan of the environment file, read by the plan user: in sync with the engine.
      const identities = await planIdentities(plan, local.setup);
      assert.deepEqual(identities.plan.changes, []);

      const variables = await refusal(
        plan.ok(plan.api.GET("/process-instance/{id}/variables", { params: { path: { id: instanceId } } })),
      );
      assertSentence(
        variables.message,
        "plan",
        /READ_INSTANCE_VARIABLE on ProcessDefinition "insurance_process"/,
      );
      const deploy = await refusal(
        plan.deploy({
          name: `lp-${tag}`,
          resources: [{ name: "x.dmn", content: readFileSync(repoPath("processes/risk_rating.dmn")) }],
        }),
      );
      assertSentence(deploy.message, "plan", /it lacks CREATE on Deployment;/);
      const user = await refusal(
        plan.ok(
          plan.api.POST("/user/create", {
            body: { profile: { id: `y${tag}` }, credentials: { password: "y".repeat(20) } },
          }),
        ),
      );
      assertSentence(user.message, "plan", /CREATE on User/);
    });
  });

  describe("release (without identity administration, as locally)", () => {
    it("deploys and reads what it deployed; may not administer users unless the file grants it", async () => {
      const release = local.as("release");
      const key = `lp_release_${tag}`;
      const xml = readFileSync(repoPath("processes/risk_rating.dmn"), "utf8").replaceAll(
        'id="risk_rating"',
        `id="${key}"`,
      );
      const deployed = await release.deploy({
        name: key,
        source: "least-privilege-test",
        resources: [{ name: `${key}.dmn`, content: xml }],
      });
      assert.equal(Object.keys(deployed.deployedDecisionDefinitions ?? {}).length, 1);
      const found = await release.ok(release.api.GET("/decision-definition", { params: { query: { key } } }));
      assert.equal(found.length, 1);
      const user = await refusal(
        release.ok(
          release.api.POST("/user/create", {
            body: { profile: { id: `z${tag}` }, credentials: { password: "z".repeat(20) } },
          }),
        ),
      );
      assertSentence(user.message, "release", /CREATE on User/);
      const grant = await refusal(
        release.ok(
          release.api.POST("/authorization/create", {
            body: { type: 1, permissions: ["ALL"], userId: "release", resourceType: 4, resourceId: "*" },
          }),
        ),
      );
      assertSentence(grant.message, "release", /CREATE on Authorization/);
    });
  });

  describe("monitoring (read-only)", () => {
    it("counts instances, incidents, external and user tasks; reads no variable and changes nothing", async () => {
      const monitoring = local.as("monitoring");
      const instanceId = await startAt(null, `LP-MON-${tag}`, yellow);
      for (const path of [
        "/process-instance/count",
        "/incident/count",
        "/external-task/count",
        "/task/count",
        "/process-definition/count",
      ] as const) {
        const answer = await monitoring.ok(monitoring.api.GET(path as "/process-instance/count"));
        assert.equal(typeof answer.count, "number", path);
      }
      const external = await monitoring.ok(
        monitoring.api.GET("/external-task/count", { params: { query: { processInstanceId: instanceId } } }),
      );
      assert.equal(external.count, 1, "it sees the waiting external task");
      const variables = await refusal(
        monitoring.ok(
          monitoring.api.GET("/process-instance/{id}/variables", { params: { path: { id: instanceId } } }),
        ),
      );
      assertSentence(variables.message, "monitoring", /READ_INSTANCE_VARIABLE/);
      const suspend = await refusal(
        monitoring.ok(
          monitoring.api.PUT("/process-instance/{id}/suspended", {
            params: { path: { id: instanceId } },
            body: { suspended: true },
          }),
        ),
      );
      assertSentence(suspend.message, "monitoring", /UPDATE|SUSPEND/);
    });
  });

  describe("people: Tasklist shows each group only its reviews", () => {
    const reviewVariables = (group: string) => ({
      ...yellow,
      riskGroup: { value: "YELLOW", type: "String" },
      reviewGroup: { value: group, type: "String" },
      premium: { value: 812.5, type: "Double" },
    });
    let underwriterTask: string;
    let seniorTask: string;
    let underwriterInstance: string;
    const mine = (tasks: Array<{ id?: string | null }>): string[] =>
      tasks.flatMap((t) => (t.id === underwriterTask || t.id === seniorTask ? [t.id] : []));

    before(async () => {
      underwriterInstance = await startAt(
        "Task_ReviewApplication",
        `LP-UW-${tag}`,
        reviewVariables("underwriters"),
      );
      const seniorInstance = await startAt(
        "Task_ReviewApplication",
        `LP-SENIOR-${tag}`,
        reviewVariables("senior-underwriters"),
      );
      const taskOf = async (processInstanceId: string) =>
        (await admin.ok(admin.api.GET("/task", { params: { query: { processInstanceId } } })))[0]!.id!;
      underwriterTask = await taskOf(underwriterInstance);
      seniorTask = await taskOf(seniorInstance);
    });

    async function filterTasks(client: CamundaClient, name: string): Promise<string[]> {
      const filters = await client.ok(
        client.api.GET("/filter", { params: { query: { resourceType: "Task" } } }),
      );
      const filter = filters.find((f) => f.name === name);
      assert.ok(filter?.id, `filter "${name}" is not shared with ${client.username}`);
      const id = filter.id;
      const tasks = await client.ok(
        client.api.POST("/filter/{id}/list", {
          params: { path: { id }, query: { maxResults: 1000 } },
          body: {} as never,
        }),
      );
      return mine(tasks as Array<{ id?: string }>);
    }

    /** The variables Tasklist shows as a filter's columns (the HAL answer's embedded variables). */
    async function filterColumns(
      client: CamundaClient,
      name: string,
    ): Promise<Array<{ name?: string; value?: unknown }>> {
      const filters = await client.ok(
        client.api.GET("/filter", { params: { query: { resourceType: "Task" } } }),
      );
      const id = filters.find((f) => f.name === name)?.id;
      assert.ok(id, `filter "${name}" is not shared with ${client.username}`);
      const answer = await client.ok(
        client.api.POST("/filter/{id}/list", {
          params: { path: { id }, query: { maxResults: 1000 } },
          body: {} as never,
          headers: { Accept: "application/hal+json" },
        }),
      );
      // Each task carries its own columns: _embedded.task[i]._embedded.variable.
      type Variable = { name?: string; value?: unknown };
      const hal = answer as unknown as {
        _embedded?: { task?: Array<{ id?: string; _embedded?: { variable?: Variable[] } }> };
      };
      const tasks = hal._embedded?.task ?? [];
      assert.ok(tasks.length > 0, `filter "${name}" listed no task for ${client.username}`);
      return tasks.flatMap((t) => t._embedded?.variable ?? []);
    }

    it("an underwriter sees the underwriters' review in 'Reviews for my groups', not the senior one", async () => {
      const underwriter = local.as("underwriter");
      const shared = (
        await underwriter.ok(underwriter.api.GET("/filter", { params: { query: { resourceType: "Task" } } }))
      ).map((f) => f.name);
      assert.deepEqual(
        shared
          .filter(
            (n): n is string =>
              typeof n === "string" &&
              [
                "Reviews for my groups",
                "Senior reviews",
                "Overdue reviews",
                "All open reviews",
                "Document checks",
              ].includes(n),
          )
          .sort(),
        ["Overdue reviews", "Reviews for my groups"],
      );
      assert.deepEqual(await filterTasks(underwriter, "Reviews for my groups"), [underwriterTask]);
      assert.deepEqual(
        mine(await underwriter.ok(underwriter.api.GET("/task", { params: { query: { maxResults: 1000 } } }))),
        [underwriterTask],
      );
      // The columns of the filter: the review's variables, readable on the task it may work.
      const variables = await underwriter.ok(
        underwriter.api.GET("/task/{id}/variables", { params: { path: { id: underwriterTask } } }),
      );
      assert.equal((variables.applicantName as { value?: unknown }).value, "Tom Baker");
      // Its filter declares no columns: Tasklist lists them only to READ_INSTANCE_VARIABLE, which would open
      // every application to every underwriter (docs/identities.md, "Filter columns").
      assert.deepEqual(await filterColumns(underwriter, "Reviews for my groups"), []);
    });

    it("a senior underwriter sees the senior review in 'Senior reviews' and 'Reviews for my groups'", async () => {
      const senior = local.as("seniorunderwriter");
      assert.deepEqual(await filterTasks(senior, "Senior reviews"), [seniorTask]);
      assert.deepEqual(await filterTasks(senior, "Reviews for my groups"), [seniorTask]);
    });

    it("an underwriter claims and completes its review, and may not complete, reassign or read the other", async () => {
      const underwriter = local.as("underwriter");
      const complete = (id: string) =>
        underwriter.ok(
          underwriter.api.POST("/task/{id}/complete", {
            params: { path: { id } },
            body: {
              variables: {
                approved: { value: true, type: "Boolean" },
                reviewComment: { value: "fine", type: "String" },
              },
            },
          }),
        );
      const other = await refusal(complete(seniorTask));
      assert.equal(other.status, 403);
      assertSentence(other.message, "underwriter", /TASK_WORK on Task/);
      const reassign = await refusal(
        underwriter.ok(
          underwriter.api.POST("/task/{id}/assignee", {
            params: { path: { id: underwriterTask } },
            body: { userId: "clerk" },
          }),
        ),
      );
      assertSentence(reassign.message, "underwriter", /TASK_ASSIGN/);
      const instanceVariables = await refusal(
        underwriter.ok(
          underwriter.api.GET("/process-instance/{id}/variables", {
            params: { path: { id: underwriterInstance } },
          }),
        ),
      );
      assertSentence(instanceVariables.message, "underwriter", /READ_INSTANCE_VARIABLE|READ_INSTANCE/);

      await underwriter.ok(
        underwriter.api.POST("/task/{id}/claim", {
          params: { path: { id: underwriterTask } },
          body: { userId: "underwriter" },
        }),
      );
      await complete(underwriterTask);
      const done = await admin.ok(
        admin.api.GET("/history/task", { params: { query: { taskId: underwriterTask } } }),
      );
      assert.equal(done[0]?.deleteReason, "completed");
      // The instance continued past the review: the approved application waits for its policy.
      const next = await admin.ok(
        admin.api.GET("/external-task", { params: { query: { processInstanceId: underwriterInstance } } }),
      );
      assert.deepEqual(
        next.map((t) => t.topicName),
        ["issue-policy"],
      );
    });

    it("a supervisor sees every review and hands one to another underwriter; a clerk sees none", async () => {
      const supervisor = local.as("supervisor");
      assert.deepEqual(
        mine(await supervisor.ok(supervisor.api.GET("/task", { params: { query: { maxResults: 1000 } } }))),
        [seniorTask],
      );
      // "All open reviews" is the supervisors' own, with the application's columns.
      assert.deepEqual(await filterTasks(supervisor, "All open reviews"), [seniorTask]);
      const columns = await filterColumns(supervisor, "All open reviews");
      const applicant = columns.find((v) => v.name === "applicantName");
      assert.ok(typeof applicant?.value === "string" && applicant.value.length > 0, JSON.stringify(columns));
      await supervisor.ok(
        supervisor.api.POST("/task/{id}/assignee", {
          params: { path: { id: seniorTask } },
          body: { userId: "seniorunderwriter" },
        }),
      );
      const clerk = local.as("clerk");
      assert.deepEqual(
        mine(await clerk.ok(clerk.api.GET("/task", { params: { query: { maxResults: 1000 } } }))),
        [],
      );
    });
  });
});
