/**
 * The contract between the engine hosts' CloudWatch agent (its Prometheus scrape configuration and
 * the embedded-metric-format declarations in cloudformation/app.yaml's user data) and the alarms and
 * dashboard (cloudformation/alarms.yaml): every metric an alarm or a widget names, with its dimension
 * set, must be one the agent publishes, and every metric the agent publishes must be one an exporter
 * on that port produces with those labels.
 */
import { parse } from "yaml";
import { createExporterMetrics } from "#core/metrics/prometheus.js";
import { createMetrics as createWorkerMetrics } from "#workers/runtime/metrics.js";
import { parseTemplate, type Template } from "../unit/cloudformation/templates.js";
import { repoPath } from "./repo.js";

/** A metric family an exporter serves: its name and the label names of its samples. */
export interface Family {
  name: string;
  labels: string[];
}

export interface Declaration {
  source_labels: string[];
  label_matcher: string;
  dimensions: string[][];
  metric_selectors: string[];
}

export interface AgentConfig {
  namespace: string;
  declarations: Declaration[];
  /** job name → the port it scrapes on the host's loopback, and the labels the scrape adds. */
  jobs: Map<string, { port: number; labels: string[] }>;
}

/**
 * The JVM families the alarms and the dashboard may use, as the JMX exporter agent 1.0.1 serves them
 * with engine/jmx-exporter.yaml. test/integration/metrics/jvm-metrics.test.ts checks this list against
 * the real agent in the local engine.
 */
export const jvmFamilies: Family[] = [
  { name: "jvm_memory_used_bytes", labels: ["area"] },
  { name: "jvm_memory_max_bytes", labels: ["area"] },
  { name: "hikaricp_connections_active", labels: ["pool"] },
  { name: "hikaricp_connections_idle", labels: ["pool"] },
  { name: "hikaricp_connections", labels: ["pool"] },
  { name: "hikaricp_connections_pending", labels: ["pool"] },
];

async function familiesOf(registry: {
  getMetricsAsJSON(): Promise<Array<{ name: string }>>;
  getSingleMetric(name: string): unknown;
}): Promise<Family[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.map(({ name }) => {
    const metric = registry.getSingleMetric(name) as { labelNames?: string[] };
    return { name, labels: [...(metric.labelNames ?? [])] };
  });
}

/** What each port on an engine host serves. */
export async function familiesByPort(): Promise<Map<number, Family[]>> {
  return new Map([
    [9465, await familiesOf(createExporterMetrics({ defaultMetrics: false }).registry)],
    [9464, await familiesOf(createWorkerMetrics({ defaultMetrics: false }).registry)],
    [9404, jvmFamilies],
  ]);
}

const heredoc = (script: string, file: string, marker: string): string => {
  const start = script.indexOf(`${file} <<${marker}\n`);
  if (start < 0) throw new Error(`the user data writes no ${file}`);
  const body = script.slice(script.indexOf("\n", start) + 1);
  return body.slice(0, body.indexOf(`\n${marker.replaceAll("'", "")}\n`));
};

/** The agent configuration the app template's user data writes, with CloudFormation's ${…} filled in. */
export function agentConfigOf(app: Template, environmentName = "ENV"): AgentConfig {
  const data = app.Resources.LaunchTemplate?.Properties?.LaunchTemplateData as {
    UserData: { "Fn::Base64": { "Fn::Sub": [string, Record<string, unknown>] } };
  };
  const script = data.UserData["Fn::Base64"]["Fn::Sub"][0]
    .replace(/\$\{EnvironmentName\}/g, environmentName)
    .replace(/\$\{[A-Za-z0-9:]+\}/g, "placeholder");
  const agent = JSON.parse(heredoc(script, "amazon-cloudwatch-agent.json", "'JSON'")) as {
    logs: {
      metrics_collected: {
        prometheus: {
          prometheus_config_path: string;
          emf_processor: { metric_namespace: string; metric_declaration: Declaration[] };
        };
      };
    };
  };
  const prometheus = agent.logs.metrics_collected.prometheus;
  const scrape = parse(
    heredoc(script, prometheus.prometheus_config_path, "YAML").replaceAll("$instance_id", "i-0"),
  ) as {
    scrape_configs: Array<{
      job_name: string;
      static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
    }>;
  };
  const jobs = new Map<string, { port: number; labels: string[] }>();
  for (const job of scrape.scrape_configs) {
    for (const target of job.static_configs) {
      for (const address of target.targets) {
        if (!address.startsWith("127.0.0.1:"))
          throw new Error(`${job.job_name} scrapes ${address}, not loopback`);
        jobs.set(job.job_name, {
          port: Number(address.split(":")[1]),
          labels: Object.keys(target.labels ?? {}),
        });
      }
    }
  }
  return {
    namespace: prometheus.emf_processor.metric_namespace,
    declarations: prometheus.emf_processor.metric_declaration,
    jobs,
  };
}

/** "metric|dim1,dim2" (dimensions sorted), the identity of a CloudWatch metric within a namespace. */
export const metricKey = (name: string, dimensions: readonly string[]) =>
  `${name}|${[...dimensions].sort().join(",")}`;

/**
 * The CloudWatch metrics the agent publishes (name and dimension set), and the problems found on the
 * way: a declaration whose job scrapes nothing, a selector that selects nothing, a dimension that is
 * not a label of the selected family.
 */
export function publishedMetrics(
  config: AgentConfig,
  byPort: Map<number, Family[]>,
): { published: Set<string>; problems: string[] } {
  const published = new Set<string>();
  const problems: string[] = [];
  config.declarations.forEach((declaration, index) => {
    const where = `metric_declaration[${index}]`;
    if (declaration.source_labels.join() !== "job") problems.push(`${where}: source_labels must be ["job"]`);
    const matcher = new RegExp(declaration.label_matcher);
    const jobs = [...config.jobs].filter(([job]) => matcher.test(job));
    if (jobs.length === 0) problems.push(`${where}: ${declaration.label_matcher} matches no scrape job`);
    for (const selector of declaration.metric_selectors) {
      const pattern = new RegExp(selector);
      const selected = jobs.flatMap(([, job]) =>
        (byPort.get(job.port) ?? [])
          .filter((family) => pattern.test(family.name))
          .map((family) => ({ family, scrapeLabels: job.labels })),
      );
      if (selected.length === 0)
        problems.push(`${where}: ${selector} selects no metric the job's exporter serves`);
      for (const { family, scrapeLabels } of selected) {
        for (const dimensions of declaration.dimensions) {
          const missing = dimensions.filter((d) => !family.labels.includes(d) && !scrapeLabels.includes(d));
          if (missing.length > 0)
            problems.push(`${where}: ${family.name} has no label ${missing.join(", ")}`);
          else published.add(metricKey(family.name, dimensions));
        }
      }
    }
  });
  return { published, problems };
}

/** A Metrics Insights query: SELECT FN(metric) FROM SCHEMA("namespace", dims…) [WHERE d = '…'] [GROUP BY …]. */
export function parseInsightsQuery(query: string): {
  metric: string;
  namespace: string;
  dimensions: string[];
  filtered: string[];
  grouped: string[];
} {
  const match =
    /^SELECT\s+(?:MAX|MIN|SUM|AVG|COUNT)\((\w+)\)\s+FROM\s+SCHEMA\("([^"]+)"((?:\s*,\s*\w+)*)\)(?:\s+WHERE\s+(.+?))?(?:\s+GROUP BY\s+(.+))?$/.exec(
      query.replace(/\s+/g, " ").trim(),
    );
  if (!match) throw new Error(`not a Metrics Insights query this contract reads: ${query}`);
  const list = (text: string | undefined) =>
    (text ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    metric: match[1] ?? "",
    namespace: match[2] ?? "",
    dimensions: list(match[3]),
    filtered: [...(match[4] ?? "").matchAll(/(\w+)\s*=/g)].map((m) => m[1] ?? ""),
    grouped: list(match[5]),
  };
}

export interface Reference {
  where: string;
  query: string;
}

/** Every Metrics Insights query of the alarms template: alarms, then dashboard widgets. */
export function queriesOf(
  alarms: Template,
  environmentName = "ENV",
): { references: Reference[]; dashboard: unknown } {
  const references: Reference[] = [];
  const fill = (text: string) =>
    text
      .replace(/\$\{EnvironmentName\}/g, environmentName)
      .replace(/\$\{Namespace\}/g, `Camunda/${environmentName}`)
      .replace(/\$\{[A-Za-z0-9:]+\}/g, (name) => (/Seconds|Threshold/.test(name) ? "0" : "placeholder"));
  let dashboard: unknown;
  for (const [id, resource] of Object.entries(alarms.Resources)) {
    if (resource.Type === "AWS::CloudWatch::Alarm") {
      for (const metric of (resource.Properties?.Metrics ?? []) as Array<{
        Expression?: { "Fn::Sub": string } | string;
      }>) {
        const expression = metric.Expression;
        if (expression === undefined) continue;
        const text = typeof expression === "string" ? expression : expression["Fn::Sub"];
        // Metric math over the queries (a ratio) names no metric of its own.
        if (!/^\s*SELECT\b/i.test(text)) continue;
        references.push({
          where: id,
          query: fill(text),
        });
      }
    }
    if (resource.Type === "AWS::CloudWatch::Dashboard") {
      const body = resource.Properties?.DashboardBody as { "Fn::Sub": [string, unknown] };
      dashboard = JSON.parse(fill(body["Fn::Sub"][0]));
      const widgets = (
        dashboard as { widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }> }
      ).widgets;
      for (const widget of widgets) {
        for (const row of widget.properties.metrics ?? []) {
          for (const item of row) {
            const expression = (item as { expression?: string }).expression;
            if (typeof expression === "string")
              references.push({ where: `Dashboard "${widget.properties.title}"`, query: expression });
          }
        }
      }
    }
  }
  return { references, dashboard };
}

/** Each reference whose metric and dimension set the agent does not publish, as one sentence. */
export function unpublishedReferences(
  references: Reference[],
  published: Set<string>,
  namespace: string,
): string[] {
  const problems: string[] = [];
  for (const { where, query } of references) {
    const q = parseInsightsQuery(query);
    if (q.namespace !== namespace) {
      problems.push(`${where}: queries ${q.namespace}, the agent publishes ${namespace}`);
      continue;
    }
    if (!published.has(metricKey(q.metric, q.dimensions)))
      problems.push(
        `${where}: ${q.metric} with dimensions (${q.dimensions.join(", ")}) is not published by the agent configuration`,
      );
    for (const d of [...q.filtered, ...q.grouped])
      if (!q.dimensions.includes(d))
        problems.push(`${where}: ${d} is not in SCHEMA(${q.dimensions.join(", ")})`);
  }
  return problems;
}

export function loadAgentAndAlarms(): { app: Template; alarms: Template } {
  return {
    app: parseTemplate(repoPath("cloudformation", "app.yaml")),
    alarms: parseTemplate(repoPath("cloudformation", "alarms.yaml")),
  };
}
