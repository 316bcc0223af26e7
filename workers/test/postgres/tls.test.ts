/**
 * The workers' TLS to PostgreSQL as the hosts use it (WORKER_DB_SSLMODE=verify-full with the RDS CA
 * bundle): a throwaway PostgreSQL 16 serving a certificate from a test authority. The store connects
 * when given that authority, and refuses a server its CA file does not vouch for.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createLogger } from "#workers/runtime/logger.js";
import { openStores } from "#workers/runtime/stores.js";
import { type PostgresDatabase, postgresDatabase } from "../../../test/support/postgres.js";

const work = mkdtempSync(path.join(tmpdir(), "workers-tls-"));
let db: PostgresDatabase;

function openssl(args: string[]): void {
  execFileSync("openssl", args, { cwd: work, stdio: "pipe" });
}

/** A certificate authority and a server certificate for 127.0.0.1 signed by it. */
function authority(name: string): void {
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${name} test CA`,
    "-keyout",
    `${name}-ca.key`,
    "-out",
    `${name}-ca.pem`,
  ]);
}

before(async () => {
  authority("trusted");
  authority("other");
  openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  writeFileSync(path.join(work, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "trusted-ca.pem",
    "-CAkey",
    "trusted-ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "san.ext",
    "-out",
    "server.pem",
  ]);
  // PostgreSQL reads the key as the user it runs as (postgres when the tests run as root) and
  // refuses a key others can read.
  const postgresUser = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  if (process.getuid?.() === 0 && postgresUser.status === 0) {
    const uid = Number(postgresUser.stdout.trim());
    for (const file of ["server.key", "server.pem"]) chownSync(path.join(work, file), uid, uid);
    chownSync(work, uid, uid);
  }
  execFileSync("chmod", ["600", path.join(work, "server.key")]);
  execFileSync("chmod", ["755", work]);
  db = await postgresDatabase(undefined, {
    serverSettings: {
      ssl: "on",
      ssl_cert_file: path.join(work, "server.pem"),
      ssl_key_file: path.join(work, "server.key"),
    },
  });
});
after(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("TLS to the workers' database", {
  skip: process.env.CI_PG_ADMIN_URL ? "needs a server of its own" : false,
}, () => {
  const logger = createLogger({ level: "silent" });
  const settings = () => ({
    host: "127.0.0.1",
    port: db.port,
    database: db.database,
    user: db.username,
    password: db.password,
    schema: "camunda_workers",
    poolSize: 2,
    statementTimeoutMs: 10_000,
  });

  it("verify-full with the authority that signed the server's certificate: connects over TLS", async () => {
    const stores = await openStores({
      store: {
        kind: "postgres",
        postgres: { ...settings(), sslMode: "verify-full", sslCaFile: path.join(work, "trusted-ca.pem") },
      },
      dataDir: work,
      workerId: "tls-test",
      logger,
    });
    try {
      const { policy } = await stores.policies.issue(
        { applicationId: "APP-TLS", holderName: "T", premiumPence: 100, riskGroup: "GREEN" },
        new Date(),
      );
      assert.match(policy.policyNumber, /^MTR-/);
      const ssl = await db.query(
        "SELECT bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE application_name = 'tls-test'",
      );
      assert.deepEqual(ssl, [["t"]], "the workers' connections use TLS");
    } finally {
      await stores.close();
    }
  });

  it("verify-full with another authority: refused, with one sentence", async () => {
    await assert.rejects(
      openStores({
        store: {
          kind: "postgres",
          postgres: { ...settings(), sslMode: "verify-full", sslCaFile: path.join(work, "other-ca.pem") },
        },
        dataDir: work,
        workerId: "tls-wrong-ca",
        logger,
      }),
      /preparing the workers' schema on PostgreSQL 127\.0\.0\.1:\d+\/\w+ as \w+ failed: .*certificate/,
    );
  });

  it("a CA file that cannot be read is a configuration error naming the variable", async () => {
    await assert.rejects(
      openStores({
        store: {
          kind: "postgres",
          postgres: { ...settings(), sslMode: "verify-full", sslCaFile: path.join(work, "missing.pem") },
        },
        dataDir: work,
        workerId: "tls-missing",
        logger,
      }),
      /WORKER_DB_SSL_CA_FILE .*missing\.pem cannot be read \(ENOENT\)/,
    );
  });
});
