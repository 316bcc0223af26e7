/**
 * Drives one insurance application through the real engine, playing every outside party: the
 * external task workers (fetchAndLock + complete), the underwriter and the clerk (task complete) and
 * the applicant (message correlation by business key). Everything is scoped to the case's unique
 * business key and tenant, so other tests and real workers on the shared engine are never touched.
 * Waiting is always polling for the next observable state, never a fixed sleep.
 */
import assert from "node:assert/strict";
import type { CamundaClient } from "#core/camunda/index.js";
import { waitFor } from "../../../test/support/engine.js";
import { plain, type TypedValue, type Variables } from "./values.js";

/** Generous: timers of PT1S fire when the job executor next acquires jobs, which may take a while when it idles. */
const waitTimeoutMs = 180_000;
const longPollMs = 10_000;

export interface StartPayload {
  businessKey: string;
  variables: Variables;
}

export interface FetchedTask {
  id: string;
  activityId: string;
  processInstanceId: string;
  processDefinitionKey: string;
  variables: Record<string, unknown>;
}

export interface HumanTask {
  id: string;
  taskDefinitionKey: string;
  candidateGroups: string[];
  variables: Record<string, unknown>;
}

export class ApplicationCase {
  readonly workerId: string;
  processInstanceId = "";
  /** Every process instance this case created: the application and each document request it called. */
  readonly instanceIds = new Set<string>();

  constructor(
    private readonly client: CamundaClient,
    readonly tenantId: string,
    readonly businessKey: string,
  ) {
    this.workerId = `processes-test-${businessKey}`;
  }

  async start(variables: Variables): Promise<void> {
    const instance = await this.client.ok(
      this.client.api.POST("/process-definition/key/{key}/tenant-id/{tenant-id}/start", {
        params: { path: { key: "insurance_process", "tenant-id": this.tenantId } },
        body: { businessKey: this.businessKey, variables },
      }),
    );
    assert.ok(instance.id, "the engine returned no process instance id");
    this.processInstanceId = instance.id;
    this.instanceIds.add(instance.id);
  }

  /** Acts as the worker of `topic`: locks this case's next task on it and completes it with `variables`. */
  async work(topic: string, variables: Variables = {}): Promise<FetchedTask> {
    const task = await this.lock(topic);
    await this.client.ok(
      this.client.api.POST("/external-task/{id}/complete", {
        params: { path: { id: task.id } },
        body: { workerId: this.workerId, variables },
      }),
    );
    return task;
  }

  private async lock(topic: string): Promise<FetchedTask> {
    const locked = await waitFor(
      `an external task on topic ${topic} for ${this.businessKey}`,
      async () => {
        const tasks = await this.client.ok(
          this.client.api.POST("/external-task/fetchAndLock", {
            body: {
              workerId: this.workerId,
              maxTasks: 1,
              asyncResponseTimeout: longPollMs,
              topics: [
                {
                  topicName: topic,
                  lockDuration: 60_000,
                  businessKey: this.businessKey,
                  tenantIdIn: [this.tenantId],
                  deserializeValues: false,
                  includeExtensionProperties: false,
                  localVariables: false,
                  withoutTenantId: false,
                },
              ],
            },
          }),
        );
        return tasks[0];
      },
      { timeoutMs: waitTimeoutMs, intervalMs: 100 },
    );
    this.instanceIds.add(locked.processInstanceId ?? "");
    return {
      id: locked.id ?? "",
      activityId: locked.activityId ?? "",
      processInstanceId: locked.processInstanceId ?? "",
      processDefinitionKey: locked.processDefinitionKey ?? "",
      variables: plainVariables(locked.variables),
    };
  }

  /** The id of this case's open user task `taskDefinitionKey`, once it exists. */
  async openTask(taskDefinitionKey: string): Promise<string> {
    const task = await waitFor(
      `user task ${taskDefinitionKey} for ${this.businessKey}`,
      async () => {
        const tasks = await this.client.ok(
          this.client.api.GET("/task", {
            params: {
              query: {
                processInstanceBusinessKey: this.businessKey,
                taskDefinitionKey,
                tenantIdIn: this.tenantId,
              },
            },
          }),
        );
        return tasks[0];
      },
      { timeoutMs: waitTimeoutMs },
    );
    return task.id ?? "";
  }

  /** Acts as a person: completes this case's open user task `taskDefinitionKey` with `variables`. */
  async completeTask(taskDefinitionKey: string, variables: Variables): Promise<HumanTask> {
    const id = await this.openTask(taskDefinitionKey);
    const links = await this.client.ok(
      this.client.api.GET("/task/{id}/identity-links", {
        params: { path: { id }, query: { type: "candidate" } },
      }),
    );
    const visible = await this.client.ok(
      this.client.api.GET("/task/{id}/variables", {
        params: { path: { id }, query: { deserializeValues: false } },
      }),
    );
    await this.client.ok(
      this.client.api.POST("/task/{id}/complete", {
        params: { path: { id } },
        body: { variables, withVariablesInReturn: false },
      }),
    );
    return {
      id,
      taskDefinitionKey,
      candidateGroups: links.map((link) => link.groupId ?? "").filter(Boolean),
      variables: plainVariables(visible as Record<string, TypedValue>),
    };
  }

  /** Acts as the applicant: sends DocumentsReceived, correlated by business key, once a request waits for it. */
  async sendDocuments(variables: Variables): Promise<void> {
    await waitFor(
      `a document request of ${this.businessKey} waiting for DocumentsReceived`,
      async () => {
        const executions = await this.client.ok(
          this.client.api.GET("/execution", {
            params: {
              query: {
                businessKey: this.businessKey,
                messageEventSubscriptionName: "DocumentsReceived",
                tenantIdIn: this.tenantId,
              },
            },
          }),
        );
        return executions.length > 0;
      },
      { timeoutMs: waitTimeoutMs },
    );
    await this.client.ok(
      this.client.api.POST("/message", {
        body: {
          messageName: "DocumentsReceived",
          businessKey: this.businessKey,
          tenantId: this.tenantId,
          processVariables: variables,
          all: false,
          resultEnabled: false,
          variablesInResultEnabled: false,
          withoutTenantId: false,
        },
      }),
    );
  }

  /** Waits until the application instance (and with it every called instance) has completed. */
  async waitUntilCompleted(): Promise<void> {
    await waitFor(
      `process instance ${this.processInstanceId} (${this.businessKey}) to complete`,
      async () => {
        const instance = await this.client.ok(
          this.client.api.GET("/history/process-instance/{id}", {
            params: { path: { id: this.processInstanceId } },
          }),
        );
        return instance.state === "COMPLETED";
      },
      { timeoutMs: waitTimeoutMs },
    );
    await this.collectCalledInstances();
  }

  private async collectCalledInstances(): Promise<void> {
    const called = await this.client.ok(
      this.client.api.GET("/history/process-instance", {
        params: { query: { superProcessInstanceId: this.processInstanceId } },
      }),
    );
    for (const instance of called) if (instance.id) this.instanceIds.add(instance.id);
  }

  /** Activity ids of one process instance in the order they started (history's sequence order). */
  async path(processInstanceId = this.processInstanceId): Promise<string[]> {
    return (await activityHistory(this.client, processInstanceId)).map((activity) => activity.activityId);
  }

  /** The ids of the document_request instances this case called, oldest first. */
  async documentRequests(): Promise<string[]> {
    const called = await this.client.ok(
      this.client.api.GET("/history/process-instance", {
        params: {
          query: { superProcessInstanceId: this.processInstanceId, sortBy: "startTime", sortOrder: "asc" },
        },
      }),
    );
    return called.map((instance) => instance.id ?? "");
  }

  /** The final process variables of the application (from history): plain values and their engine types. */
  async finalVariables(): Promise<{ values: Record<string, unknown>; types: Record<string, string> }> {
    const variables = await this.client.ok(
      this.client.api.GET("/history/variable-instance", {
        params: { query: { processInstanceId: this.processInstanceId, deserializeValues: false } },
      }),
    );
    const values: Record<string, unknown> = {};
    const types: Record<string, string> = {};
    // Local variables of activities (notificationType, decisionResult) are not process variables.
    for (const variable of variables) {
      if (variable.activityInstanceId !== this.processInstanceId || !variable.name) continue;
      values[variable.name] = plain({ value: variable.value, type: variable.type ?? null });
      types[variable.name] = variable.type ?? "";
    }
    return { values, types };
  }
}

export interface ActivityRecord {
  activityId: string;
  activityType: string;
  processDefinitionKey: string;
  startTime: string;
  endTime: string | null;
}

export async function activityHistory(
  client: CamundaClient,
  processInstanceId: string,
): Promise<ActivityRecord[]> {
  // Start time first: the sequence counter ("occurrence") orders only within one branch of execution.
  const activities = await client.ok(
    client.api.POST("/history/activity-instance", {
      body: {
        processInstanceId,
        sorting: [
          { sortBy: "startTime", sortOrder: "asc" },
          { sortBy: "occurrence", sortOrder: "asc" },
        ],
      },
    }),
  );
  return activities.map((activity) => ({
    activityId: activity.activityId ?? "",
    activityType: activity.activityType ?? "",
    processDefinitionKey: activity.processDefinitionKey ?? "",
    startTime: activity.startTime ?? "",
    endTime: activity.endTime ?? null,
  }));
}

function plainVariables(
  variables: Record<string, { value?: unknown; type?: string | null }> | null | undefined,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(variables ?? {}).map(([name, variable]) => [name, plain(variable)]),
  );
}
