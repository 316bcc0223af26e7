/**
 * The production compose file, checked structurally (no Docker engine here): the settings the
 * platform depends on are present, and every value that could be a secret comes from the env file.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { repoPath } from "../../support/repo.js";

interface Service {
  image: string;
  environment: Record<string, string>;
  restart?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  build?: { context: string; dockerfile: string };
  volumes?: string[];
}
const text = readFileSync(repoPath("deploy/docker-compose.yml"), "utf8");
const compose = parse(text) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const camunda = compose.services.camunda!;
const workers = compose.services.workers!;

describe("production docker-compose.yml", () => {
  test("runs Camunda Run 7.23.0 on PostgreSQL with authentication and an admin from the environment", () => {
    assert.equal(camunda.image, "camunda/camunda-bpm-platform:run-7.23.0");
    const env = camunda.environment;
    // camunda.sh does not run (the command execs java), so the data source is Spring's own variables.
    assert.equal(env.SPRING_DATASOURCE_DRIVER_CLASS_NAME, "org.postgresql.Driver");
    assert.match(
      env.SPRING_DATASOURCE_URL!,
      /^jdbc:postgresql:\/\/\$\{DB_HOST:\?[^}]+\}:\$\{DB_PORT:-5432\}\/\$\{DB_NAME:\?[^}]+\}/,
    );
    assert.equal(env.CAMUNDA_BPM_RUN_AUTH_ENABLED, "true");
    assert.match(env.CAMUNDA_BPM_ADMIN_USER_ID!, /^\$\{CAMUNDA_ADMIN_USER:\?/);
    assert.match(env.CAMUNDA_BPM_ADMIN_USER_PASSWORD!, /^\$\{CAMUNDA_ADMIN_PASSWORD:\?/);
    assert.equal(
      Object.keys(env).some((k) => k.startsWith("DB_")),
      false,
      "DB_* variables would be ignored",
    );
    assert.equal(camunda.restart, "unless-stopped");
    assert.match(camunda.healthcheck!.test.join(" "), /\/engine-rest\/engine/);
  });

  test("runs the workers after the engine is healthy, with its credentials and the shared store of their own database user", () => {
    // The image CI pushed, by digest; a host never builds one, so a missing setting stops compose.
    assert.match(workers.image, /^\$\{WORKERS_IMAGE:\?[^}]+\}$/);
    assert.equal(workers.build, undefined);
    assert.equal(workers.environment.CAMUNDA_URL, "http://camunda:8080/engine-rest");
    assert.match(workers.environment.CAMUNDA_PASSWORD!, /\$\{/);
    assert.deepEqual(workers.depends_on, { camunda: { condition: "service_healthy" } });
    assert.equal(workers.restart, "unless-stopped");
    assert.ok(
      workers.ports?.every((p) => p.startsWith("127.0.0.1:")),
      "worker health and metrics stay on loopback",
    );
    // Every host of the group shares the idempotency records: the workers' schema in the same
    // cluster, as their own user (not the engine's), and never the per-host file store.
    const env = workers.environment;
    assert.equal(env.WORKER_CLUSTER, "true");
    assert.equal(env.WORKER_STORE, "postgres");
    assert.match(env.WORKER_DB_HOST!, /^\$\{DB_HOST:\?/);
    assert.match(env.WORKER_DB_NAME!, /^\$\{DB_NAME:\?/);
    assert.match(env.WORKER_DB_USER!, /^\$\{WORKERS_DB_USER:\?/);
    assert.match(env.WORKER_DB_PASSWORD!, /^\$\{WORKERS_DB_PASSWORD:\?/);
    assert.equal(env.WORKER_DB_SSLMODE, "verify-full");
    assert.ok(workers.volumes?.includes(`/etc/camunda-platform/rds-ca.pem:${env.WORKER_DB_SSL_CA_FILE}:ro`));
    assert.equal(env.WORKER_DATA_DIR, undefined);
  });

  test("holds no secret: every password, user and host is interpolated from the env file", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment)) {
        // Engine settings (e.g. DEFAULTUSERPERMISSIONNAMEFORTASK) are not credentials.
        if (/PASSWORD|USER|SECRET|TOKEN|KEY/.test(key) && !key.startsWith("CAMUNDA_BPM_GENERICPROPERTIES_")) {
          assert.match(
            String(value),
            /^\$\{[A-Z_]+(:[-?][^}]*)?\}$|^\$\{[A-Z_]+:-\$\{[A-Z_]+\}\}$/,
            `${name}.${key} comes from the environment`,
          );
        }
      }
    }
    assert.doesNotMatch(text, /password\s*[:=]\s*['"]?[A-Za-z0-9]{6,}/i);
  });
});
