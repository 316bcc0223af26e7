/**
 * What the database did: pg_stat_statements totals of a run, and the history rows a setting wrote
 * per application (the figure that shows what a lower history level gives up).
 */
import type { PostgresDatabase } from "../../test/support/postgres.js";
import type { RunResult } from "./report.js";

const thisDatabase = "dbid = (SELECT oid FROM pg_database WHERE datname = current_database())";

export async function statementStats(db: PostgresDatabase): Promise<RunResult["database"]> {
  const [totals] = await db.query(
    `SELECT coalesce(sum(calls),0), coalesce(round(sum(total_exec_time)::numeric,1),0) FROM pg_stat_statements WHERE ${thisDatabase}`,
  );
  const top = await db.query(
    `SELECT calls, round(total_exec_time::numeric,1), left(regexp_replace(query, '\\s+', ' ', 'g'), 60) FROM pg_stat_statements WHERE ${thisDatabase} ORDER BY total_exec_time DESC LIMIT 3`,
  );
  return {
    statements: Number(totals?.[0] ?? 0),
    execMs: Number(totals?.[1] ?? 0),
    top: top.map(([calls, ms, query]) => ({ calls: Number(calls), execMs: Number(ms), query: query ?? "" })),
  };
}

/** The history tables an auditor reads, with what each holds. */
export const historyTables: Record<string, string> = {
  act_hi_procinst: "process instances",
  act_hi_actinst: "activity instances",
  act_hi_taskinst: "user tasks",
  act_hi_varinst: "variables (last value)",
  act_hi_detail: "variable updates (every value)",
  act_hi_decinst: "decision evaluations",
  act_hi_dec_in: "decision inputs",
  act_hi_dec_out: "decision outputs",
  act_hi_job_log: "job log",
  act_hi_ext_task_log: "external task log",
  act_hi_op_log: "user operation log",
  act_hi_identitylink: "identity links",
  act_hi_incident: "incidents",
};

/** Rows per application in each history table, over every application the setting ran. */
export async function historyRows(
  db: PostgresDatabase,
  applications: number,
): Promise<Record<string, number>> {
  const sql = Object.keys(historyTables)
    .map((table) => `SELECT '${table}', count(*) FROM ${table}`)
    .join(" UNION ALL ");
  const rows = await db.query(sql);
  return Object.fromEntries(rows.map(([table, count]) => [table ?? "", Number(count) / applications]));
}

/** What the user operation log recorded, per application: "<entity> <operation>" → entries. */
export async function operationLog(
  db: PostgresDatabase,
  applications: number,
): Promise<Record<string, number>> {
  const rows = await db.query(
    "SELECT entity_type_ || ' ' || operation_type_, count(*) FROM act_hi_op_log GROUP BY 1 ORDER BY 2 DESC",
  );
  return Object.fromEntries(rows.map(([what, count]) => [what ?? "", Number(count) / applications]));
}
