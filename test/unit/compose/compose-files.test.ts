/**
 * Both Compose files are loaded and validated by compose-go (the library Docker Compose uses: schema,
 * interpolation, references) through scripts/compose-validate, since no Docker engine runs here.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { repoPath, repoRoot } from "../../support/repo.js";

const validator = repoPath(".venv/tools/bin/compose-validate");

function validate(file: string, env: Record<string, string>) {
  assert.ok(existsSync(validator), "compose-validate is missing: run scripts/setup-tools.sh (needs Go)");
  // Only the variables given: nothing from the developer's shell may make a file look valid.
  const result = spawnSync(validator, [file], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

describe("compose files (compose-go)", () => {
  it("deploy/docker-compose.yml is valid with the settings install.sh writes", () => {
    const result = validate(repoPath("deploy/docker-compose.yml"), {
      DB_HOST: "db.internal",
      DB_NAME: "camunda",
      DB_USER: "camunda",
      DB_PASSWORD: "placeholder",
      WORKERS_DB_USER: "camunda_workers",
      WORKERS_DB_PASSWORD: "placeholder",
      WORKERS_CAMUNDA_USER: "workers",
      WORKERS_CAMUNDA_PASSWORD: "placeholder",
      MONITORING_CAMUNDA_USER: "monitoring",
      MONITORING_CAMUNDA_PASSWORD: "placeholder",
      CAMUNDA_ADMIN_USER: "admin",
      CAMUNDA_ADMIN_PASSWORD: "placeholder",
      WORKERS_IMAGE: `111111111111.dkr.ecr.eu-west-2.amazonaws.com/camunda-dev/workers@sha256:${"ab".repeat(32)}`,
    });
    assert.ok(result.ok, result.output);
  });

  it("deploy/docker-compose.yml refuses to start the workers without their own database user", () => {
    const result = validate(repoPath("deploy/docker-compose.yml"), {
      DB_HOST: "db.internal",
      DB_NAME: "camunda",
      DB_USER: "camunda",
      DB_PASSWORD: "placeholder",
      CAMUNDA_ADMIN_USER: "admin",
      CAMUNDA_ADMIN_PASSWORD: "placeholder",
    });
    assert.equal(result.ok, false);
    assert.match(result.output, /WORKERS_DB_(USER|PASSWORD) is not set/);
  });

  it("deploy/docker-compose.yml refuses to start the metrics exporter without the monitoring user (never the admin)", () => {
    const result = validate(repoPath("deploy/docker-compose.yml"), {
      DB_HOST: "db.internal",
      DB_NAME: "camunda",
      DB_USER: "camunda",
      DB_PASSWORD: "placeholder",
      WORKERS_DB_USER: "camunda_workers",
      WORKERS_DB_PASSWORD: "placeholder",
      WORKERS_CAMUNDA_USER: "workers",
      WORKERS_CAMUNDA_PASSWORD: "placeholder",
      CAMUNDA_ADMIN_USER: "admin",
      CAMUNDA_ADMIN_PASSWORD: "placeholder",
      WORKERS_IMAGE: `111111111111.dkr.ecr.eu-west-2.amazonaws.com/camunda-dev/workers@sha256:${"ab".repeat(32)}`,
    });
    assert.equal(result.ok, false);
    assert.match(result.output, /MONITORING_CAMUNDA_(USER|PASSWORD) is not set/);
  });

  it("deploy/docker-compose.yml refuses to start without the database settings", () => {
    const result = validate(repoPath("deploy/docker-compose.yml"), {});
    assert.equal(result.ok, false);
    assert.match(result.output, /DB_HOST is not set/);
  });

  it("docker-compose.dev.yml is valid and wires the production image, PostgreSQL and the workers image", () => {
    const result = validate(repoPath("docker-compose.dev.yml"), { CAMUNDA_ADMIN_PASSWORD: "placeholder" });
    assert.ok(result.ok, result.output);
    const compose = parse(readFileSync(repoPath("docker-compose.dev.yml"), "utf8")) as {
      services: Record<
        string,
        { image?: string; build?: { dockerfile: string }; environment: Record<string, string> }
      >;
    };
    assert.equal(compose.services.camunda?.image, "camunda/camunda-bpm-platform:run-7.23.0");
    assert.equal(compose.services.camunda?.environment.CAMUNDA_BPM_RUN_AUTH_ENABLED, "true");
    assert.match(
      compose.services.camunda?.environment.SPRING_DATASOURCE_URL ?? "",
      /^jdbc:postgresql:\/\/postgres:5432\//,
    );
    assert.equal(compose.services.workers?.build?.dockerfile, "workers/Dockerfile");
    assert.equal(compose.services.workers?.environment.CAMUNDA_URL, "http://camunda:8080/engine-rest");
    assert.equal(compose.services.workers?.environment.WORKER_STORE, "postgres");
    assert.equal(compose.services.workers?.environment.WORKER_DB_HOST, "postgres");
  });

  it("docker-compose.dev.yml needs an admin password, never a default one", () => {
    const result = validate(repoPath("docker-compose.dev.yml"), {});
    assert.equal(result.ok, false);
    assert.match(result.output, /CAMUNDA_ADMIN_PASSWORD/);
  });

  it("the validator rejects a file that breaks the Compose schema (so a pass means something)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "compose-"));
    try {
      const file = path.join(dir, "bad.yml");
      writeFileSync(file, "services:\n  camunda:\n    image: x\n    restartt: always\n");
      const result = validate(file, {});
      assert.equal(result.ok, false);
      assert.match(result.output, /restartt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
