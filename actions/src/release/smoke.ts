/**
 * `release --smoke`: start one instance of each newly deployed process version with example start
 * variables from `processes/examples/`, check that it reaches its first wait state without an
 * incident, then delete it so no worker or person acts on a test instance.
 *
 * Which example belongs to which process:
 *   1. `examples/<key>/*.json` (the first by name), or `examples/<key>.json`;
 *   2. otherwise the top-level `examples/*.json` (the first by name) belong to the entry process:
 *      the one released process that no other released process calls.
 * A process without an example is skipped (a called subprocess usually needs its caller's variables).
 * Example files hold the body of `POST /process-definition/key/<key>/start`: {businessKey?, variables}.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { CamundaClient, components } from "#core/camunda/index.js";
import { parseModel } from "#core/lint/parse.js";
import { errorMessage } from "#core/util/errors.js";
import type { Resource } from "./source.js";

export interface SmokeTarget {
  key: string;
  definitionId: string;
  resource: Resource;
}

export interface SmokeOutcome {
  key: string;
  definitionId: string;
  status: "passed" | "failed" | "skipped";
  /** Example file used, relative to the repository root. */
  example: string | null;
  /** Where the instance waited, or why it failed / was skipped. */
  detail: string;
}

type StartBody = components["schemas"]["StartProcessInstanceDto"];
type ActivityInstance = components["schemas"]["ActivityInstanceDto"];

async function jsonFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".json"))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Keys of the processes that some released BPMN calls through a call activity. */
async function calledKeys(resources: Resource[]): Promise<Set<string>> {
  const called = new Set<string>();
  const visit = (element: { $type?: string; calledElement?: string; flowElements?: unknown[] }) => {
    if (element.$type === "bpmn:CallActivity" && typeof element.calledElement === "string") {
      called.add(element.calledElement);
    }
    for (const child of element.flowElements ?? []) visit(child as typeof element);
  };
  for (const resource of resources.filter((r) => r.kind === "bpmn")) {
    try {
      const { root } = await parseModel("bpmn", resource.text);
      for (const element of root?.rootElements ?? []) visit(element);
    } catch {
      // Unparsable files never reach a smoke test: the linter and the engine refused them first.
    }
  }
  return called;
}

/** The example file for a process key, following the rules in the module comment. */
export async function findExample(
  examplesDir: string,
  key: string,
  released: { keys: string[]; resources: Resource[] },
): Promise<string | null> {
  const own = await jsonFiles(path.join(examplesDir, key));
  if (own[0]) return own[0];
  const single = path.join(examplesDir, `${key}.json`);
  if (existsSync(single)) return single;
  const called = await calledKeys(released.resources);
  const entries = released.keys.filter((k) => !called.has(k));
  if (entries.length !== 1 || entries[0] !== key) return null;
  const topLevel = (await jsonFiles(examplesDir)).filter(
    (file) => !released.keys.some((k) => path.basename(file) === `${k}.json`),
  );
  return topLevel[0] ?? null;
}

function waitingActivities(tree: ActivityInstance | undefined): string[] {
  const found: string[] = [];
  const visit = (node: ActivityInstance) => {
    const children = node.childActivityInstances ?? [];
    for (const t of node.childTransitionInstances ?? [])
      if (t.activityId) found.push(`${t.activityId} (async)`);
    if (children.length === 0 && node.activityType !== "processDefinition" && node.activityId) {
      found.push(node.activityName ? `${node.activityId} "${node.activityName}"` : node.activityId);
    }
    for (const child of children) visit(child);
  };
  if (tree) visit(tree);
  return found;
}

export async function smokeTest(
  client: CamundaClient,
  target: SmokeTarget,
  options: {
    examplesDir: string;
    repoRelative: (file: string) => string;
    commit: string | null;
    released: { keys: string[]; resources: Resource[] };
  },
): Promise<SmokeOutcome> {
  const base = { key: target.key, definitionId: target.definitionId };
  const example = await findExample(options.examplesDir, target.key, options.released);
  if (!example) {
    return {
      ...base,
      status: "skipped",
      example: null,
      detail: "no example start variables in processes/examples/",
    };
  }
  const exampleFile = options.repoRelative(example);
  let body: StartBody;
  try {
    body = JSON.parse(await readFile(example, "utf8")) as StartBody;
  } catch (error) {
    return {
      ...base,
      status: "failed",
      example: exampleFile,
      detail: `the example is not valid JSON (${errorMessage(error)})`,
    };
  }
  // A recognisable, unique business key: smoke instances must never be mistaken for real applications.
  const suffix = `smoke-${(options.commit ?? "local").slice(0, 8)}-${randomBytes(3).toString("hex")}`;
  const businessKey = body.businessKey ? `${body.businessKey}-${suffix}` : suffix;

  let instanceId: string | undefined;
  try {
    const started = await client.ok(
      client.api.POST("/process-definition/{id}/start", {
        params: { path: { id: target.definitionId } },
        body: { businessKey, variables: body.variables ?? {} },
      }),
    );
    instanceId = started.id ?? undefined;
    if (!instanceId)
      return {
        ...base,
        status: "failed",
        example: exampleFile,
        detail: "the engine returned no instance id",
      };
    if (started.ended) {
      return { ...base, status: "passed", example: exampleFile, detail: "ran to its end without waiting" };
    }
    const incidents = await client.ok(
      client.api.GET("/incident", { params: { query: { processInstanceId: instanceId } } }),
    );
    if (incidents.length > 0) {
      const first = incidents[0]!;
      return {
        ...base,
        status: "failed",
        example: exampleFile,
        detail: `incident at ${first.activityId ?? "?"}: ${first.incidentMessage ?? first.incidentType ?? "no message"}`,
      };
    }
    const tree = await client.ok(
      client.api.GET("/process-instance/{id}/activity-instances", { params: { path: { id: instanceId } } }),
    );
    const waiting = waitingActivities(tree);
    return {
      ...base,
      status: "passed",
      example: exampleFile,
      detail: waiting.length ? `waits at ${waiting.join(", ")}` : "waits",
    };
  } catch (error) {
    return { ...base, status: "failed", example: exampleFile, detail: errorMessage(error) };
  } finally {
    if (instanceId) await deleteInstance(client, instanceId);
  }
}

async function deleteInstance(client: CamundaClient, id: string): Promise<void> {
  try {
    await client.api.DELETE("/process-instance/{id}", {
      params: { path: { id }, query: { skipCustomListeners: true, skipIoMappings: true } },
    });
  } catch {
    // Best effort: an instance that already ended has nothing to delete.
  }
}
