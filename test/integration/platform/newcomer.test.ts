/**
 * The newcomer's path, for real: a fresh clone in a temporary folder, `npm ci`, `npm start` with
 * samples, the samples flowing through the real workers, `npm run stop`, and nothing of ours left
 * running. Once with the embedded H2 default and once with `--db postgres`. With H2 the newcomer then
 * opens the web apps in Chromium: Cockpit and Admin as the admin (deployed definitions, the insurance
 * process with its instance counts, the declared users), and Tasklist as the declared `underwriter`
 * with the password `npm start` generated, who completes the YELLOW review on its form. With
 * PostgreSQL the same underwriter completes it through REST. Slow by nature (a clean npm install and
 * an engine build in the clone).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { type CamundaClient, createCamundaClient } from "#core/camunda/index.js";
import { findFreePort } from "#core/engine/ports.js";
import { isAlive } from "#core/engine/state.js";
import { keepScreenshot, launchBrowser, logIn, withScreenshotOnFailure } from "../../support/browser.js";
import { waitFor } from "../../support/engine.js";
import { type PostgresDatabase, postgresDatabase } from "../../support/postgres.js";
import { repoRoot } from "../../support/repo.js";
import {
  adminUsers,
  claimReview,
  cockpitDashboard,
  cockpitDiagramCount,
  openTaskFromFilter,
  webAppsBase,
} from "../../support/webapps.js";

const minutes = (n: number) => n * 60_000;
/** The people environments/local.yaml declares; `npm start` generates their passwords. */
const declaredPeople = ["underwriter", "seniorunderwriter", "supervisor", "clerk"];

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

/**
 * The newcomer in Chromium: Cockpit and Admin as the admin, then Tasklist as the underwriter, who
 * claims the YELLOW review from "Reviews for my groups" and approves it on the form.
 */
async function reviewInTheBrowser(
  browser: Browser,
  restUrl: string,
  admin: { username: string; password: string },
  underwriterPassword: string,
  review: { id: string; businessKey: string },
  client: CamundaClient,
): Promise<void> {
  const appBase = webAppsBase(restUrl);
  const [definition] = await client.ok(
    client.api.GET("/process-definition", {
      params: { query: { key: "insurance_process", latestVersion: true } },
    }),
  );
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  try {
    await withScreenshotOnFailure(page, "newcomer-cockpit-admin", async () => {
      await logIn(page, `${appBase}/cockpit/default/`, admin.username, admin.password);
      // insurance_process and document_request, from the release `npm start` made.
      assert.ok((await cockpitDashboard(page, appBase, 2)) >= 2);
      await keepScreenshot(page, "newcomer-cockpit-dashboard");
      const waiting = await cockpitDiagramCount(page, appBase, definition!.id!, "Task_ReviewApplication");
      assert.equal(waiting, 1, "Cockpit counts the YELLOW sample on Review application");
      await page.getByText(review.businessKey).waitFor();
      await keepScreenshot(page, "newcomer-cockpit-process-diagram");
      await adminUsers(page, appBase, [admin.username, ...declaredPeople]);
      await keepScreenshot(page, "newcomer-admin-users");
    });
  } finally {
    await context.close();
  }
  const people = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
  const tasklist = await people.newPage();
  try {
    await withScreenshotOnFailure(tasklist, "newcomer-tasklist-underwriter", async () => {
      await logIn(tasklist, `${appBase}/tasklist/default/`, "underwriter", underwriterPassword);
      const details = await openTaskFromFilter(tasklist, appBase, "Reviews for my groups");
      assert.match(new URL(tasklist.url()).hash, new RegExp(`task=${review.id}`));
      const form = await claimReview(details, review.businessKey);
      assert.equal(await form.field("Risk group").inputValue(), "YELLOW");
      assert.notEqual(await form.field("Yearly premium").inputValue(), "", "the workers priced it");
      await form.approve.check();
      await keepScreenshot(tasklist, "newcomer-tasklist-review-filled");
      await form.complete.click();
      await waitFor("the review to leave Tasklist", async () => {
        const open = await client.ok(client.api.GET("/task", { params: { query: { taskId: review.id } } }));
        return open.length === 0;
      });
    });
  } finally {
    await people.close();
  }
}

describe("newcomer: fresh clone, npm ci, npm start, npm run stop", () => {
  let dir: string;
  let clone: string;
  /** One browser for the file, started when the first run needs it. */
  let browser: Browser | undefined;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "camunda-gitops-newcomer-"));
    clone = path.join(dir, "repo");
    const cloned = spawnSync("git", ["clone", "--quiet", repoRoot, clone], { encoding: "utf8" });
    assert.equal(cloned.status, 0, cloned.stderr);
    run(clone, ["ci", "--no-audit", "--no-fund"], newcomerEnv(), minutes(8));
  });

  after(async () => {
    await browser?.close();
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
        // The declared underwriter, with the password `npm start` generated into the credentials file.
        const people = JSON.parse(readFileSync(path.join(clone, ".local/engine/users.json"), "utf8"));
        const underwriterPassword = people.users.underwriter as string;
        assert.ok(underwriterPassword, "npm start generated no password for the underwriter");
        if (db === "h2") {
          browser ??= await launchBrowser();
          await reviewInTheBrowser(
            browser,
            `http://127.0.0.1:${port}/engine-rest`,
            credentials,
            underwriterPassword,
            { id: review.id!, businessKey: keys.YELLOW! },
            client,
          );
        } else {
          const underwriter = createCamundaClient({
            baseUrl: `http://127.0.0.1:${port}/engine-rest`,
            username: "underwriter",
            password: underwriterPassword,
          });
          await underwriter.ok(
            underwriter.api.POST("/task/{id}/claim", {
              params: { path: { id: review.id! } },
              body: { userId: "underwriter" },
            }),
          );
          await underwriter.ok(
            underwriter.api.POST("/task/{id}/complete", {
              params: { path: { id: review.id! } },
              body: {
                variables: {
                  approved: { value: true, type: "Boolean" },
                  reviewComment: { value: "fine", type: "String" },
                },
              },
            }),
          );
        }
        const [done] = await client.ok(
          client.api.GET("/history/task", { params: { query: { taskId: review.id! } } }),
        );
        assert.equal(done?.assignee, "underwriter", "the declared underwriter completed the review");
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
