/**
 * `camunda-gitops engine probe`: asks a running engine what it can do and compares the answers with
 * the capabilities engine/run-7.23.0.yaml records for the production image, so the local engine, the
 * image under docker-compose.dev.yml and a real environment can be checked the same way.
 *
 * Two modes:
 * - read-only (every environment but local): GET requests only. Version, filters, demo data (users,
 *   groups, filters and invoice definitions of Run's example, demo-data.ts),
 *   authorization and the offset of dates the engine returns.
 * - full (the local engine, or a throwaway engine such as the compose one in CI): additionally deploys
 *   the probe models (probe/models.ts), starts them, and deletes the deployment again: script engines,
 *   Spin XML and JSON, the HTTP connector, the JVM's time zone, the history level, and TTL enforcement.
 */
import { randomBytes } from "node:crypto";
import { type CamundaClient, CamundaError } from "#core/camunda/index.js";
import type { ManifestCapabilities } from "#core/fidelity/manifest.js";
import { errorMessage } from "#core/util/errors.js";
import { demoDataChecks, invoiceExample } from "./demo-data.js";
import { javascriptOutcome } from "./javascript.js";
import {
  connectorProcess,
  connectorProcessKey,
  javascriptProcess,
  noTtlProcess,
  probeDeploymentName,
  probeDeploymentSource,
  scriptsProcess,
  scriptsProcessKey,
} from "./models.js";

export type ProbeMode = "full" | "read-only";
export type CheckStatus = "ok" | "differs" | "skipped";

export interface ProbeCheck {
  id: string;
  title: string;
  expected: string;
  observed: string;
  status: CheckStatus;
}

export interface ProbeReport {
  restUrl: string;
  mode: ProbeMode;
  checks: ProbeCheck[];
  /** Checks whose observation differs from the manifest. */
  differences: number;
}

export interface ProbeOptions {
  mode: ProbeMode;
  expected: ManifestCapabilities;
  onProgress?: (line: string) => void;
}

type Json = Record<string, unknown>;

/** GET with query parameters, through the client's auth, timeout and retries; the JSON body or a CamundaError. */
async function get<T = unknown>(
  client: CamundaClient,
  path: string,
  query: Record<string, string> = {},
): Promise<T> {
  const call = client.api.GET as unknown as (
    path: string,
    init: { params: { query: Record<string, string> } },
  ) => Promise<{ data?: T; error?: unknown; response: Response }>;
  return client.ok(call(path, { params: { query } }));
}

async function post<T = unknown>(client: CamundaClient, path: string, body: Json): Promise<T> {
  const call = client.api.POST as unknown as (
    path: string,
    init: { body: Json },
  ) => Promise<{ data?: T; error?: unknown; response: Response }>;
  return client.ok(call(path, { body }));
}

async function remove(client: CamundaClient, path: string, query: Record<string, string>): Promise<void> {
  const call = client.api.DELETE as unknown as (
    path: string,
    init: { params: { query: Record<string, string> } },
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
  await client.ok(call(path, { params: { query } }));
}

/** "+0000" from "2026-11-29T06:26:05.167+0000"; undefined when the text carries no offset. */
export function dateOffset(text: string): string | undefined {
  const match = /([+-]\d{2}:?\d{2}|Z)$/.exec(text);
  if (!match) return undefined;
  return match[1] === "Z" ? "+0000" : match[1]!.replace(":", "");
}

function check(id: string, title: string, expected: string, observed: string, same: boolean): ProbeCheck {
  return { id, title, expected, observed, status: same ? "ok" : "differs" };
}

function skipped(id: string, title: string, expected: string, why: string): ProbeCheck {
  return { id, title, expected, observed: why, status: "skipped" };
}

const list = (items: readonly string[]) => (items.length === 0 ? "none" : items.join(", "));

/** The first line of an engine message, without Java's exception class prefixes. */
function engineReason(error: unknown): string {
  const text = error instanceof CamundaError ? (error.engineMessage ?? error.message) : errorMessage(error);
  return text.split("\n")[0]!.slice(0, 200);
}

interface FullRun {
  groovy?: { groovy: string; timeZone: string; engines: string[] };
  xmlAttribute?: string;
  jsonProperty?: string;
  processInstanceId?: string;
  startTime?: string;
  failure?: string;
}

/** Deploys the probe models, runs the scripts process, and reports what came back. */
async function runScriptsProcess(client: CamundaClient): Promise<FullRun> {
  try {
    const started = await post<{ id: string; variables?: Record<string, { value: unknown }> }>(
      client,
      `/process-definition/key/${scriptsProcessKey}/start`,
      {
        businessKey: `camunda-gitops-probe-${randomBytes(3).toString("hex")}`,
        withVariablesInReturn: true,
        variables: {
          probeXml: { type: "Xml", value: '<probe kind="xml"/>' },
          probeJson: { type: "Json", value: '{"kind":"json"}' },
        },
      },
    );
    const value = (name: string) => started.variables?.[name]?.value;
    const report = value("groovyReport");
    const history = await get<{ startTime?: string }>(client, `/history/process-instance/${started.id}`);
    return {
      ...(typeof report === "string" ? { groovy: JSON.parse(report) as FullRun["groovy"] } : {}),
      ...(typeof value("xmlAttribute") === "string" ? { xmlAttribute: value("xmlAttribute") as string } : {}),
      ...(typeof value("jsonProperty") === "string" ? { jsonProperty: value("jsonProperty") as string } : {}),
      processInstanceId: started.id,
      ...(history.startTime ? { startTime: history.startTime } : {}),
    };
  } catch (error) {
    return { failure: engineReason(error) };
  }
}

async function historyLevel(client: CamundaClient, processInstanceId: string): Promise<string> {
  const instances = await get<{ count: number }>(client, "/history/process-instance/count", {
    processInstanceId,
  });
  if (instances.count === 0) return "none";
  const variables = await get<{ count: number }>(client, "/history/variable-instance/count", {
    processInstanceId,
  });
  if (variables.count === 0) return "activity";
  const details = await get<{ count: number }>(client, "/history/detail/count", { processInstanceId });
  return details.count === 0 ? "audit" : "full";
}

/** What starting the connector process says: the connector is missing, or it exists and tried the call. */
async function connectorAvailability(client: CamundaClient): Promise<{ available: boolean; reason: string }> {
  try {
    await post(client, `/process-definition/key/${connectorProcessKey}/start`, {});
    return { available: true, reason: "the call to 127.0.0.1:9 succeeded" };
  } catch (error) {
    const reason = engineReason(error);
    return { available: !/No connector found/i.test(reason), reason };
  }
}

async function ttlEnforced(client: CamundaClient): Promise<{ enforced: boolean; reason: string }> {
  try {
    const deployment = await client.deploy({
      name: `${probeDeploymentName}-no-ttl`,
      source: probeDeploymentSource,
      resources: [{ name: "camunda-gitops-probe-no-ttl.bpmn", content: noTtlProcess }],
    });
    await remove(client, `/deployment/${deployment.id}`, { cascade: "true" });
    return { enforced: false, reason: "a model without historyTimeToLive was accepted" };
  } catch (error) {
    const text = error instanceof CamundaError ? (error.engineMessage ?? error.message) : errorMessage(error);
    const ttl = /ENGINE-\d+ History Time To Live[^.]*/i.exec(text);
    return { enforced: ttl !== null, reason: ttl ? ttl[0] : engineReason(error) };
  }
}

async function deleteProbeDeployments(client: CamundaClient): Promise<void> {
  const deployments = await get<{ id: string }[]>(client, "/deployment", {
    name: probeDeploymentName,
    source: probeDeploymentSource,
  });
  for (const deployment of deployments) {
    await remove(client, `/deployment/${deployment.id}`, { cascade: "true", skipCustomListeners: "true" });
  }
}

export async function probeEngine(client: CamundaClient, options: ProbeOptions): Promise<ProbeReport> {
  const { expected, mode } = options;
  const progress = options.onProgress ?? (() => {});
  const checks: ProbeCheck[] = [];
  const full = mode === "full";

  progress("engine version");
  const version = await get<{ version: string }>(client, "/version");
  checks.push(
    check(
      "version",
      "Camunda version",
      expected.version,
      version.version,
      version.version === expected.version,
    ),
  );

  let run: FullRun = {};
  if (full) {
    progress("deploying the probe models");
    await deleteProbeDeployments(client);
    await client.deploy({
      name: probeDeploymentName,
      source: probeDeploymentSource,
      resources: [
        { name: "camunda-gitops-probe-scripts.bpmn", content: scriptsProcess },
        { name: "camunda-gitops-probe-javascript.bpmn", content: javascriptProcess },
        { name: "camunda-gitops-probe-connector.bpmn", content: connectorProcess },
      ],
    });
  }
  try {
    const scriptsExpected = Object.entries(expected.scriptEngines)
      .map(([name, what]) => `${name} ${what}`)
      .join(", ");
    if (full) {
      progress("running Groovy, JavaScript and Spin");
      run = await runScriptsProcess(client);
      const groovy = run.groovy ? `groovy ${run.groovy.groovy}` : "groovy missing";
      const javascript = `javascript ${await javascriptOutcome(client)}`;
      const observed = run.failure ? `failed: ${run.failure}` : `${groovy}, ${javascript}`;
      checks.push(
        check(
          "scripts",
          "script engines",
          scriptsExpected,
          observed,
          !run.failure && observed === scriptsExpected,
        ),
      );
      if (run.groovy) {
        // Every JSR-223 engine the JVM finds, Camunda's own (JUEL, FEEL) included: a third one would let
        // a model's scriptFormat work in one packaging and not the other.
        const names = run.groovy.engines.map((engine) => engine.replace(/ \S+( Build)?$/, "").trim());
        const found = [...new Set(names)].sort();
        const wanted = [...expected.scriptEngineNames].sort();
        checks.push(
          check(
            "script-engine-list",
            "JSR-223 engines",
            list(wanted),
            list(found),
            list(found) === list(wanted),
          ),
        );
      }

      const spin: string[] = [];
      if (run.jsonProperty === "json") spin.push("json");
      if (run.xmlAttribute === "xml") spin.push("xml");
      checks.push(
        check(
          "spin",
          "Spin data formats",
          list(expected.spin),
          run.failure ? `failed: ${run.failure}` : list(spin),
          list(spin) === list(expected.spin),
        ),
      );

      progress("calling the HTTP connector");
      const connector = await connectorAvailability(client);
      const connectors = connector.available ? ["http-connector"] : [];
      checks.push(
        check(
          "connectors",
          "connectors",
          list(expected.connectors),
          `${list(connectors)} (${connector.reason})`,
          list(connectors) === list(expected.connectors),
        ),
      );

      checks.push(
        run.groovy
          ? check(
              "time-zone",
              "JVM time zone",
              expected.timeZone,
              run.groovy.timeZone,
              run.groovy.timeZone === expected.timeZone,
            )
          : skipped(
              "time-zone",
              "JVM time zone",
              expected.timeZone,
              "unknown: the Groovy script did not run",
            ),
      );
    } else {
      const why = "not checked: read-only probe";
      checks.push(skipped("scripts", "script engines", scriptsExpected, why));
      checks.push(skipped("spin", "Spin data formats", list(expected.spin), why));
      checks.push(skipped("connectors", "connectors", list(expected.connectors), why));
      checks.push(skipped("time-zone", "JVM time zone", expected.timeZone, why));
    }

    progress("dates, filters, users, authorization");
    let sampleDate = run.startTime;
    // Any date the engine returns will do: the latest deployment, else the operation log.
    if (!sampleDate) {
      const deployments = await get<{ deploymentTime?: string }[]>(client, "/deployment", {
        sortBy: "deploymentTime",
        sortOrder: "desc",
        maxResults: "1",
      });
      sampleDate = deployments[0]?.deploymentTime;
    }
    if (!sampleDate) {
      const operations = await get<{ timestamp?: string }[]>(client, "/history/user-operation", {
        sortBy: "timestamp",
        sortOrder: "desc",
        maxResults: "1",
      });
      sampleDate = operations[0]?.timestamp;
    }
    const offset = sampleDate ? dateOffset(sampleDate) : undefined;
    checks.push(
      offset
        ? check(
            "date-offset",
            "offset of returned dates",
            expected.dateOffset,
            `${offset} (${sampleDate})`,
            offset === expected.dateOffset,
          )
        : skipped(
            "date-offset",
            "offset of returned dates",
            expected.dateOffset,
            "no date to look at: the engine has no deployment and no logged operation",
          ),
    );

    const filters = await get<{ name: string; owner: string | null; query: Json }[]>(client, "/filter", {
      resourceType: "Task",
    });
    // Run's start filter: the name from camunda.bpm.filter.create, no owner, an empty task query.
    const startFilters = filters
      .filter((filter) => filter.owner === null && Object.keys(filter.query ?? {}).length === 0)
      .map((filter) => filter.name)
      .filter((name) => name === "All tasks" || expected.startFilters.includes(name));
    checks.push(
      check(
        "filters",
        "filters created at start",
        list(expected.startFilters),
        `${list(startFilters)} (${filters.length} task filter${filters.length === 1 ? "" : "s"} in all)`,
        list(startFilters) === list(expected.startFilters),
      ),
    );

    const demo = invoiceExample(expected.demoUsers);
    checks.push(...(await demoDataChecks((path, query) => get(client, path, query), demo)));

    // A user that cannot exist: with authorization off every check says yes; on, it says no (or, for a
    // caller who may not read authorizations, 403). GET only, so it is safe against production.
    let authorization: boolean;
    try {
      const answer = await get<{ authorized: boolean }>(client, "/authorization/check", {
        permissionName: "DELETE",
        resourceName: "Authorization",
        resourceType: "4",
        userId: `camunda-gitops-probe-${randomBytes(4).toString("hex")}`,
      });
      authorization = !answer.authorized;
    } catch (error) {
      if (!(error instanceof CamundaError && error.status === 403)) throw error;
      authorization = true;
    }
    checks.push(
      check(
        "authorization",
        "authorization checks",
        expected.authorization ? "on" : "off",
        authorization ? "on" : "off",
        authorization === expected.authorization,
      ),
    );

    if (full && run.processInstanceId) {
      progress("history level and TTL enforcement");
      const level = await historyLevel(client, run.processInstanceId);
      checks.push(
        check(
          "history-level",
          "history level",
          expected.historyLevel,
          level,
          level === expected.historyLevel,
        ),
      );
    } else {
      checks.push(
        skipped(
          "history-level",
          "history level",
          expected.historyLevel,
          full ? "unknown: the probe process did not run" : "not checked: read-only probe",
        ),
      );
    }
    if (full) {
      const ttl = await ttlEnforced(client);
      checks.push(
        check(
          "history-ttl",
          "history time to live enforced",
          expected.historyTimeToLiveEnforced ? "yes" : "no",
          `${ttl.enforced ? "yes" : "no"} (${ttl.reason})`,
          ttl.enforced === expected.historyTimeToLiveEnforced,
        ),
      );
    } else {
      checks.push(
        skipped(
          "history-ttl",
          "history time to live enforced",
          expected.historyTimeToLiveEnforced ? "yes" : "no",
          "not checked: read-only probe",
        ),
      );
    }
  } finally {
    if (full) {
      progress("deleting the probe deployment");
      await deleteProbeDeployments(client);
    }
  }
  return {
    restUrl: client.baseUrl,
    mode,
    checks,
    differences: checks.filter((c) => c.status === "differs").length,
  };
}

/** The probe as text: one line per check, a mark, what was expected where it differs. */
export function formatProbeReport(report: ProbeReport, environment: string): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const marks: Record<CheckStatus, string> = { ok: "ok  ", differs: "DIFF", skipped: "skip" };
  const lines = [`Engine probe of ${environment} (${report.restUrl}), ${report.mode}:`];
  for (const c of report.checks) {
    const tail = c.status === "differs" ? `   expected: ${c.expected}` : "";
    lines.push(`  ${marks[c.status]}  ${c.title.padEnd(width)}  ${c.observed}${tail}`);
  }
  const count = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  lines.push(
    `${report.checks.length} checks: ${count("ok")} as in production, ${count("differs")} different, ${count("skipped")} not checked.`,
  );
  return lines.join("\n");
}
