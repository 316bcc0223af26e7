/**
 * What Camunda Run's invoice example leaves in an engine, and the read-only checks that find it. The
 * example (on whenever the image starts without `camunda.bpm.run.example.enabled=false`) creates the
 * users demo, john, mary and peter, each with the user name as password and demo in camunda-admin, three
 * groups, seven Tasklist filters, and deploys the invoice processes and decisions. Turning the example
 * off later does not remove any of it, so a deploy-time check (deploy/scripts/validate.sh, and the
 * engine probe of `release --smoke`) refuses an engine that still has it; docs/operations.md gives
 * the one-time clean-up. validate.sh runs on hosts without Node and repeats these names in bash; a
 * test keeps both lists equal.
 */
import type { ProbeCheck } from "./probe.js";

/** Groups the example creates. Its users come from engine/run-7.23.0.yaml (capabilities.demoUsers). */
export const DEMO_GROUPS = ["sales", "accounting", "management"] as const;

/** Task filters the example creates (none has an owner that is not a demo user). */
export const DEMO_FILTERS = [
  "My Tasks",
  "My Group Tasks",
  "Accounting",
  "John's Tasks",
  "Mary's Tasks",
  "Peter's Tasks",
  "All Tasks",
] as const;

/** Keys of the example's processes and decisions. */
export const INVOICE_PROCESSES = ["invoice", "ReviewInvoice"] as const;
export const INVOICE_DECISIONS = ["invoiceClassification", "invoice-assign-approver"] as const;

/** The names to look for; the checks take them as a value so a test can use names of its own. */
export interface DemoData {
  users: readonly string[];
  groups: readonly string[];
  filters: readonly string[];
  processes: readonly string[];
  decisions: readonly string[];
}

/** Everything the invoice example creates, with the users engine/run-7.23.0.yaml lists. */
export function invoiceExample(demoUsers: readonly string[]): DemoData {
  return {
    users: demoUsers,
    groups: DEMO_GROUPS,
    filters: DEMO_FILTERS,
    processes: INVOICE_PROCESSES,
    decisions: INVOICE_DECISIONS,
  };
}

/** A GET through the probe's client (auth, timeout, retries); the parsed JSON. */
export type Get = <T>(path: string, query?: Record<string, string>) => Promise<T>;

function absent(id: string, title: string, present: readonly string[]): ProbeCheck {
  return {
    id,
    title,
    expected: "absent",
    observed: present.length === 0 ? "absent" : `present: ${present.join(", ")}`,
    status: present.length === 0 ? "ok" : "differs",
  };
}

/**
 * Four checks, GET requests only: demo users, demo groups, demo filters, invoice definitions. With
 * authorization on, the caller must be allowed to read users, groups, filters and definitions (a query
 * returns only what its caller may read); the admin and the release user are.
 */
export async function demoDataChecks(get: Get, names: DemoData): Promise<ProbeCheck[]> {
  const ids = async (path: string, wanted: readonly string[]) =>
    wanted.length === 0
      ? []
      : (await get<{ id: string }[]>(path, { idIn: wanted.join(",") })).map((item) => item.id).sort();
  const users = await ids("/user", names.users);
  const groups = await ids("/group", names.groups);
  const filters = (await get<{ name: string }[]>("/filter", { resourceType: "Task" }))
    .map((filter) => filter.name)
    .filter((name) => names.filters.includes(name));
  const definitions: string[] = [];
  for (const [kind, path, keys] of [
    ["process", "/process-definition", names.processes],
    ["decision", "/decision-definition", names.decisions],
  ] as const) {
    for (const key of keys) {
      if ((await get<unknown[]>(path, { key, maxResults: "1" })).length > 0)
        definitions.push(`${kind} ${key}`);
    }
  }
  return [
    absent("demo-users", `demo users (${names.users.join(", ")})`, users),
    absent("demo-groups", `demo groups (${names.groups.join(", ")})`, groups),
    absent("demo-filters", "demo task filters", [...new Set(filters)].sort()),
    absent("invoice-deployments", "invoice example processes and decisions", definitions),
  ];
}
