/**
 * The newcomer's path, for real: a fresh clone in a temporary folder, `npm ci`, `npm start` with
 * samples, the samples flowing through the real workers, one review completed by a person (through
 * REST), `npm run stop`, and nothing of ours left running. Once with the embedded H2 default and once
 * with `--db postgres`. Slow by nature (a clean npm install and an engine build in the clone).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createCamundaClient } from "#core/camunda/index.js";
import { findFreePort } from "#core/engine/ports.js";
import { isAlive } from "#core/engine/state.js";
import { waitFor } from "../../support/engine.js";
import { type PostgresDatabase, postgresDatabase } from "../../support/postgres.js";
import { repoRoot } from "../../support/repo.js";

const minutes = (n: number) => n * 60_000;

/** The environment a newcomer has: none of the test run's Camunda variables. */
function newcomerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of Object.keys(env)) {
    if (/^(CAMUNDA_|SPRING_DATASOURCE_)/.test(name) && !(name in extra)) delete env[name];
  }
  // npm's own variables of the outer `npm test` would point npm at this checkout.
  for (const name of Object.keys(env)) if (name.startsWith("npm_")) delete env[name];
  return env;
}

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  const result = spawnSync("npm", args, { cwd, env, encoding: "utf8", timeout: timeoutMs });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  assert.equal(
    result.status,
    0,
    `npm ${args.join(" ")} failed (status ${result.status}):\n${output.slice(-4000)}`,
  );
  return output;
}

function processesOf(clone: string): string[] {
  const ps = spawnSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .filter((line) => line.includes(clone) && !line.includes("ps -eo"))
    .filter((line) => isAlive(Number(line.trim().split(/\s+/)[0])))
    .map((line) => line.trim());
}

describe("newcomer: fresh clone, npm ci, npm start, npm run stop", () => {
  let dir: string;
  let clone: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "camunda-gitops-newcomer-"));
    clone = path.join(dir, "repo");
    const cloned = spawnSync("git", ["clone", "--quiet", repoRoot, clone], { encoding: "utf8" });
    assert.equal(cloned.status, 0, cloned.stderr);
    run(clone, ["ci", "--no-audit", "--no-fund"], newcomerEnv(), minutes(8));
  });

  after(() => {
    // Whatever happened, stop what the clone started before deleting it.
    if (clone && existsSync(clone))
      spawnSync("npm", ["run", "stop"], { cwd: clone, env: newcomerEnv(), timeout: minutes(2) });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const db of ["h2", "postgres"] as const) {
    it(`runs the platform with ${db}, flows the samples and stops cleanly`, {
      timeout: minutes(15),
    }, async () => {
      let database: PostgresDatabase | undefined;
      try {
        const extra: Record<string, string> = {};
        if (db === "postgres") {
          database = await postgresDatabase();
          extra.SPRING_DATASOURCE_URL = database.jdbcUrl;
          extra.SPRING_DATASOURCE_USERNAME = database.username;
          extra.SPRING_DATASOURCE_PASSWORD = database.password;
        }
        const env = newcomerEnv(extra);
        const port = await findFreePort();
        const output = run(
          clone,
          ["start", "--", "--db", db, "--port", String(port), "--samples", "4"],
          env,
          minutes(12),
        );
        assert.match(output, /Cockpit: +http:\/\/127\.0\.0\.1:\d+\/camunda\/app\/cockpit\/default\//);
        assert.match(output, /Login: +admin \(password in \.local\/engine\/credentials\.json\)/);
        const keys = Object.fromEntries(
          [...output.matchAll(/^ {2}(SAMPLE-\S+-(GREEN|YELLOW|RED|INCOMPLETE)) /gm)].map((m) => [
            m[2]!,
            m[1]!,
          ]),
        );
        assert.deepEqual(Object.keys(keys).sort(), ["GREEN", "INCOMPLETE", "RED", "YELLOW"], output);

        // A second start while it runs only reports the status.
        const again = run(clone, ["start", "--", "--port", String(port)], env, minutes(2));
        assert.match(again, /already running/);

        const credentials = JSON.parse(
          readFileSync(path.join(clone, ".local/engine/credentials.json"), "utf8"),
        );
        const client = createCamundaClient({
          baseUrl: `http://127.0.0.1:${port}/engine-rest`,
          ...credentials,
        });
        const finished = async (businessKey: string) => {
          const found = await client.ok(
            client.api.GET("/history/process-instance", {
              params: {
                query: { processInstanceBusinessKey: businessKey, processDefinitionKey: "insurance_process" },
              },
            }),
          );
          return found[0]?.state === "COMPLETED" ? found[0] : undefined;
        };
        await waitFor("the GREEN sample to complete", () => finished(keys.GREEN!), { timeoutMs: minutes(2) });
        await waitFor("the RED sample to complete", () => finished(keys.RED!), { timeoutMs: minutes(2) });
        const review = await waitFor(
          "the YELLOW sample to wait at Review application",
          async () => {
            const tasks = await client.ok(
              client.api.GET("/task", {
                params: {
                  query: {
                    processInstanceBusinessKey: keys.YELLOW!,
                    taskDefinitionKey: "Task_ReviewApplication",
                  },
                },
              }),
            );
            return tasks[0];
          },
          { timeoutMs: minutes(2) },
        );
        assert.equal(review.name, "Review application");
        await client.ok(
          client.api.POST("/task/{id}/complete", {
            params: { path: { id: review.id! } },
            body: {
              variables: {
                approved: { value: true, type: "Boolean" },
                reviewComment: { value: "fine", type: "String" },
              },
            },
          }),
        );
        const reviewed = await waitFor(
          "the reviewed YELLOW sample to complete",
          () => finished(keys.YELLOW!),
          {
            timeoutMs: minutes(2),
          },
        );
        assert.equal(reviewed.state, "COMPLETED");

        const platformState = JSON.parse(
          readFileSync(path.join(clone, ".local/platform/state.json"), "utf8"),
        );
        const enginePid = JSON.parse(readFileSync(path.join(clone, ".local/engine/engine.json"), "utf8"))
          .pid as number;
        run(clone, ["run", "stop"], env, minutes(3));
        for (const pid of [enginePid, platformState.workers.pid as number]) {
          assert.equal(isAlive(pid), false, `process ${pid} is still running after npm run stop`);
        }
        assert.deepEqual(processesOf(clone), [], "processes of the clone are left after npm run stop");
      } finally {
        await database?.drop();
      }
    });
  }
});
