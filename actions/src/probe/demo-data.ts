/**
 * What Camunda Run's invoice example leaves in an engine, and the read-only checks that find it. The
 * example (on whenever the image starts without `camunda.bpm.run.example.enabled=false`) creates the
 * users demo, john, mary and peter, each with the user name as password and demo in camunda-admin, three
 * groups, seven Tasklist filters, and deploys the invoice processes and decisions. Turning the example
 * off later does not remove any of it, so a deploy-time check (deploy/scripts/validate.sh, and the
 * engine probe of `release --smoke`) refuses an engine that still has it; docs/operations.md gives
 * the one-time clean-up. validate.sh runs on hosts without Node and repeats these names in bash;
 * test/unit/bundle/demo-data-lists.test.ts keeps both lists equal.
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

/**
 * Resource types whose READ a check needs, with Camunda's resource type ids. With authorization on, a
 * query lists only what its caller may read, so a caller without READ would see nothing and pass.
 */
const READ_NEEDED = {
  "demo-users": [["User", 1]],
  "demo-groups": [["Group", 2]],
  "demo-filters": [["Filter", 5]],
  "invoice-deployments": [
    ["ProcessDefinition", 6],
    ["DecisionDefinition", 10],
  ],
} as const satisfies Record<string, readonly (readonly [string, number])[]>;

function unreadable(id: string, title: string, missing: readonly string[]): ProbeCheck {
  return {
    id,
    title,
    expected: "absent",
    observed: `cannot check: this user lacks READ on ${missing.join(" and ")} (grant it READ in the environment file's identities)`,
    status: "differs",
  };
}

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
 * authorization on, a query returns only what its caller may read, so each check first asks the
 * engine whether the caller has READ on the types it queries; without it the check says "cannot
 * check" and differs, rather than passing on an empty answer.
 */
export async function demoDataChecks(get: Get, names: DemoData): Promise<ProbeCheck[]> {
  const readable = new Map<string, boolean>();
  for (const [type, typeId] of Object.values(READ_NEEDED).flat()) {
    const answer = await get<{ authorized: boolean }>("/authorization/check", {
      permissionName: "READ",
      resourceName: type,
      resourceType: String(typeId),
    });
    readable.set(type, answer.authorized);
  }
  const missing = (id: keyof typeof READ_NEEDED) =>
    READ_NEEDED[id].map(([type]) => type as string).filter((type) => !readable.get(type));
  const checked = async (
    id: keyof typeof READ_NEEDED,
    title: string,
    find: () => Promise<string[]>,
  ): Promise<ProbeCheck> => {
    const lacking = missing(id);
    return lacking.length > 0 ? unreadable(id, title, lacking) : absent(id, title, await find());
  };
  const ids = async (path: string, wanted: readonly string[]) =>
    wanted.length === 0
      ? []
      : (await get<{ id: string }[]>(path, { idIn: wanted.join(",") })).map((item) => item.id).sort();
  return [
    await checked("demo-users", `demo users (${names.users.join(", ")})`, () => ids("/user", names.users)),
    await checked("demo-groups", `demo groups (${names.groups.join(", ")})`, () =>
      ids("/group", names.groups),
    ),
    await checked("demo-filters", "demo task filters", async () => {
      const filters = (await get<{ name: string }[]>("/filter", { resourceType: "Task" }))
        .map((filter) => filter.name)
        .filter((name) => names.filters.includes(name));
      return [...new Set(filters)].sort();
    }),
    await checked("invoice-deployments", "invoice example processes and decisions", async () => {
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
      return definitions;
    }),
  ];
}
