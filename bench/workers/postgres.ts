/**
 * A throwaway PostgreSQL for the benchmark: a fresh cluster in a temp folder on a free port, run as
 * the postgres user (the server refuses to run as root), trust auth on loopback only, removed after.
 * The server programs are the project's PostgreSQL 16 (Aurora's major version) from
 * scripts/postgres-binaries.ts, as in the tests; Debian's newest server only where that is missing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "#core/engine/local-engine.js";
import { postgresBinaries } from "../../scripts/postgres-binaries.js";

export interface Postgres {
  port: number;
  jdbcUrl: string;
  /** The server's major version, for the report (16 unless the project's binaries are missing). */
  major: number;
  /** The server's main process (its backends are its children). */
  pid: number;
  stop(): void;
}

function serverBinaries(): { bin: string; major: number } {
  if (process.env.PG_BIN) return { bin: process.env.PG_BIN, major: Number.NaN };
  const found = postgresBinaries();
  if (!found) {
    throw new Error(
      "no PostgreSQL server programs: run `npm ci` (it installs the project's PostgreSQL 16) or set PG_BIN to a folder with initdb and pg_ctl.",
    );
  }
  return found;
}

export async function startPostgres(): Promise<Postgres> {
  const { bin, major } = serverBinaries();
  const asPostgres = (command: string, args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { stdio: "pipe" });
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
  return {
    port,
    // The cluster's own "postgres" database: the project's binaries ship no createdb, and the
    // cluster exists only for this run.
    jdbcUrl: `jdbc:postgresql://127.0.0.1:${port}/postgres`,
    major,
    pid: Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]),
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
