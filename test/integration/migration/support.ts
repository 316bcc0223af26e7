/**
 * Helpers for the migration tests: the project's own models in a repository of their own, edits that
 * make their next versions, instances put where a test needs them (start instructions), and queries
 * that say which version an instance runs on.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { CamundaClient } from "#core/camunda/index.js";
import { repoPath } from "../../support/repo.js";

export const model = (name: string) => readFileSync(repoPath("processes", name), "utf8");

/** Replaces `from` (which must occur) with `to` everywhere. */
export function edit(xml: string, from: string, to: string): string {
  assert.ok(xml.includes(from), `the model holds no ${from}`);
  return xml.split(from).join(to);
}

type Value = { value: unknown; type: string };
export const str = (value: string): Value => ({ value, type: "String" });
export const bool = (value: boolean): Value => ({ value, type: "Boolean" });
export const num = (value: number): Value => ({ value, type: "Double" });
export const json = (value: unknown): Value => ({ value: JSON.stringify(value), type: "Json" });

/** Starts an instance of a definition right before `activityId` (as Cockpit's modification does). */
export async function startAt(
  client: CamundaClient,
  definitionId: string,
  activityId: string,
  businessKey: string,
  variables: Record<string, Value>,
): Promise<string> {
  const instance = await client.ok(
    client.api.POST("/process-definition/{id}/start", {
      params: { path: { id: definitionId } },
      body: {
        businessKey,
        variables: variables as never,
        startInstructions: [{ type: "startBeforeActivity", activityId }],
      },
    }),
  );
  assert.ok(instance.id);
  return instance.id;
}

export async function latestId(client: CamundaClient, key: string, tenantId: string): Promise<string> {
  const [latest] = await client.ok(
    client.api.GET("/process-definition", {
      params: { query: { key, latestVersion: true, tenantIdIn: tenantId } },
    }),
  );
  assert.ok(latest?.id, `${key} is not deployed in ${tenantId}`);
  return latest.id;
}

/** The definition a running instance is on, e.g. "insurance_process:2:…". */
export async function definitionOf(client: CamundaClient, processInstanceId: string): Promise<string> {
  const instance = await client.ok(
    client.api.GET("/process-instance/{id}", { params: { path: { id: processInstanceId } } }),
  );
  return instance.definitionId ?? "";
}

/** The called document request of an application instance. */
export async function childOf(client: CamundaClient, processInstanceId: string): Promise<string> {
  const [child] = await client.ok(
    client.api.GET("/process-instance", { params: { query: { superProcessInstance: processInstanceId } } }),
  );
  assert.ok(child?.id, `${processInstanceId} has no called instance`);
  return child.id;
}

/** The version number in a definition id "key:version:uuid". */
export function versionOf(definitionId: string): number {
  return Number(definitionId.split(":")[1]);
}

/** A finished instance: its definition and the end event it reached. */
export async function finished(client: CamundaClient, processInstanceId: string) {
  const instance = await client.ok(
    client.api.GET("/history/process-instance/{id}", { params: { path: { id: processInstanceId } } }),
  );
  const ends = await client.ok(
    client.api.GET("/history/activity-instance", {
      params: { query: { processInstanceId, activityType: "noneEndEvent", finished: true } },
    }),
  );
  return {
    state: instance.state,
    definitionId: instance.processDefinitionId ?? "",
    end: ends.map((e) => e.activityId).join(","),
  };
}
