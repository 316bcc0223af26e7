import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { workersStoreEnv } from "#core/platform/background.js";

describe("up: the workers' store follows the engine's database", () => {
  const spring = {
    SPRING_DATASOURCE_URL: "jdbc:postgresql://db.local:5433/camunda?sslmode=disable",
    SPRING_DATASOURCE_USERNAME: "camunda",
    SPRING_DATASOURCE_PASSWORD: "pw",
  };

  it("with --db postgres the workers use that database (their own schema), as on the hosts", () => {
    assert.deepEqual(workersStoreEnv("postgres", spring), {
      WORKER_STORE: "postgres",
      WORKER_DB_HOST: "db.local",
      WORKER_DB_PORT: "5433",
      WORKER_DB_NAME: "camunda",
      WORKER_DB_USER: "camunda",
      WORKER_DB_PASSWORD: "pw",
    });
  });

  it("keeps the file store on H2, and leaves a store the caller chose alone", () => {
    assert.deepEqual(workersStoreEnv("h2", spring), {});
    assert.deepEqual(workersStoreEnv("postgres", { ...spring, WORKER_STORE: "file" }), {});
  });
});
