/**
 * A throwaway PostgreSQL 15 for the benchmark: a fresh cluster in a temp folder on a free port, run
 * as the postgres user (the server refuses to run as root), trust auth on loopback only, removed after.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "#core/engine/local-engine.js";

const bin = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface Postgres {
  port: number;
  jdbcUrl: string;
  stop(): void;
}

function asPostgres(command: string, args: string[]): void {
  execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { stdio: "pipe" });
}

export async function startPostgres(): Promise<Postgres> {
  const root = mkdtempSync(path.join(tmpdir(), "bench-pg-"));
  chmodSync(root, 0o777);
  const data = path.join(root, "data");
  const port = await findFreePort();
  execFileSync("chown", ["postgres:postgres", root]);
  asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  asPostgres("pg_ctl", [
    "-D",
    data,
    "-l",
    path.join(root, "postgres.log"),
    "-o",
    `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on`,
    "-w",
    "start",
  ]);
  asPostgres("createdb", ["-h", "127.0.0.1", "-p", String(port), "camunda"]);
  return {
    port,
    jdbcUrl: `jdbc:postgresql://127.0.0.1:${port}/camunda`,
    stop() {
      spawnSync(
        "runuser",
        ["-u", "postgres", "--", path.join(bin, "pg_ctl"), "-D", data, "-m", "fast", "stop"],
        { stdio: "pipe" },
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
}
