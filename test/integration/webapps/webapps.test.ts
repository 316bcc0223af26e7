/**
 * Cockpit, Tasklist and Admin load and show the platform, seen in a real browser (Debian's Chromium):
 * the engine's own web apps, served by the local engine exactly as `npm start` launches it. A web app
 * that stays a blank page (an app plugin script that answers 404) fails here, with a screenshot.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { CamundaClient } from "#core/camunda/index.js";
import { ApplicationCase } from "../../../processes/tests/support/actors.js";
import { deployModels } from "../../../processes/tests/support/deployment.js";
import { boolean, double, json, string } from "../../../processes/tests/support/values.js";
import { keepScreenshot, launchBrowser, logIn, withScreenshotOnFailure } from "../../support/browser.js";
import { testEngine, uniqueId, waitFor } from "../../support/engine.js";
import { repoRoot } from "../../support/repo.js";

const engine = testEngine();
const appBase = `${engine.restUrl.replace(/\/engine-rest$/, "")}/camunda/app`;
const reviewFilterName = "Reviews for my groups";

/** A person of the group `underwriters` (created when missing) who may see the test's tenant. */
async function createUnderwriter(
  client: CamundaClient,
  tenantId: string,
): Promise<{ id: string; password: string }> {
  // User and tenant ids are letters and digits only (the engine's resource id pattern).
  const id = uniqueId("underwriter").replace("-", "");
  const password = `pw-${uniqueId("x")}-${uniqueId("y")}`;
  await client.ok(
    client.api.POST("/user/create", {
      body: {
        profile: { id, firstName: "Una", lastName: "Underwriter", email: `${id}@example.com` },
        credentials: { password },
      },
    }),
  );
  const groups = await client.ok(client.api.GET("/group", { params: { query: { id: "underwriters" } } }));
  if (groups.length === 0) {
    await client.ok(
      client.api.POST("/group/create", {
        body: { id: "underwriters", name: "Underwriters", type: "WORKFLOW" },
      }),
    );
  }
  await client.ok(
    client.api.PUT("/group/{id}/members/{userId}", { params: { path: { id: "underwriters", userId: id } } }),
  );
  // With authorization on, a user sees the tasks of the tenants they belong to.
  const tenants = await client.ok(client.api.GET("/tenant", { params: { query: { id: tenantId } } }));
  if (tenants.length === 0) {
    await client.ok(client.api.POST("/tenant/create", { body: { id: tenantId, name: tenantId } }));
  }
  await client.ok(
    client.api.PUT("/tenant/{id}/user-members/{userId}", { params: { path: { id: tenantId, userId: id } } }),
  );
  return { id, password };
}

/** Tasklist's filter of the review tasks of the groups the logged-in person belongs to. */
async function createReviewFilter(client: CamundaClient): Promise<string> {
  // The filter's query as Tasklist stores it; the OpenAPI schema types its properties too narrowly.
  const body = {
    resourceType: "Task",
    name: reviewFilterName,
    query: {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an engine expression, evaluated per user
      candidateGroupsExpression: "${currentUserGroups()}",
      includeAssignedTasks: true,
      taskDefinitionKey: "Task_ReviewApplication",
    },
    properties: { description: "Reviews my groups may claim", priority: -10, refresh: true },
  };
  const filter = await client.ok(client.api.POST("/filter/create", { body: body as never }));
  return filter.id ?? "";
}

async function taskExists(taskId: string): Promise<boolean> {
  const [task] = await engine.client.ok(engine.client.api.GET("/task", { params: { query: { taskId } } }));
  return task !== undefined;
}

describe("web apps in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let processDefinitionId: string;
  let businessKey: string;
  let tenantId: string;

  before(async () => {
    tenantId = uniqueId("web").replace("-", "");
    const deployment = await deployModels(engine.client, tenantId, engine.logFile);
    processDefinitionId = deployment.processDefinitionIds.insurance_process!;
    const example = JSON.parse(readFileSync(path.join(repoRoot, "processes/examples/yellow.json"), "utf8"));
    businessKey = uniqueId("WEB-YELLOW");
    await engine.client.ok(
      engine.client.api.POST("/process-definition/{id}/start", {
        params: { path: { id: processDefinitionId } },
        body: { businessKey, variables: example.variables },
      }),
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await logIn(page, `${appBase}/cockpit/default/`, engine.username, engine.password);
  });

  after(async () => {
    await browser?.close();
  });

  it("Cockpit shows the dashboard with deployed definitions", async () => {
    await withScreenshotOnFailure(page, "cockpit-dashboard", async () => {
      await page.goto(`${appBase}/cockpit/default/#/dashboard`);
      await page.getByText("Running Process Instances").waitFor({ timeout: 30_000 });
      // The counts arrive after the page: wait for the deployed process definitions to be counted.
      const processDefinitions = page
        .locator("xpath=//*[normalize-space()='Process Definitions']/following-sibling::*[1]")
        .first();
      await page.waitForFunction(
        (element) => Number(element?.textContent?.trim()) >= 2,
        await processDefinitions.elementHandle(),
        { timeout: 30_000 },
      );
      assert.ok(Number((await processDefinitions.textContent())?.trim()) >= 2);
    });
  });

  it("Cockpit shows the insurance process diagram with the waiting instance counted on its activity", async () => {
    await withScreenshotOnFailure(page, "cockpit-process-diagram", async () => {
      await page.goto(`${appBase}/cockpit/default/#/process-definition/${processDefinitionId}/runtime`);
      const badge = page.locator(
        ".djs-overlays[data-container-id='Task_ValidateApplication'] .badge.instance-count",
      );
      await badge.waitFor({ timeout: 30_000 });
      assert.equal((await badge.textContent())?.trim(), "1");
      // The diagram itself is drawn: the review task's shape is on the canvas.
      await page.locator("g[data-element-id='Task_ReviewApplication']").first().waitFor();
      await page.getByText(businessKey).waitFor();
    });
  });

  it("Admin lists the users", async () => {
    await withScreenshotOnFailure(page, "admin-users", async () => {
      await page.goto(`${appBase}/admin/default/#/users`);
      const row = page.locator("table tbody tr", { hasText: engine.username });
      await row.first().waitFor({ timeout: 30_000 });
    });
  });

  it("an underwriter claims the YELLOW review in Tasklist, reads the application on the form, declines with a reason, and the instance goes on", async () => {
    const underwriter = await createUnderwriter(engine.client, tenantId);
    const filterId = await createReviewFilter(engine.client);
    // A second YELLOW application, validated and priced by the workers (played here through REST).
    const example = JSON.parse(readFileSync(path.join(repoRoot, "processes/examples/yellow.json"), "utf8"));
    const reviewKey = uniqueId("APP-REVIEW");
    const application = new ApplicationCase(engine.client, tenantId, reviewKey);
    await application.start({ ...example.variables, applicationId: string(reviewKey) });
    await application.work("validate-application", {
      applicationComplete: boolean(true),
      missingDocuments: json([]),
    });
    await application.work("calculate-premium", { premium: double(1310) });
    const taskId = await application.openTask("Task_ReviewApplication");
    const processInstanceId = application.processInstanceId;
    const keep = (name: string) => keepScreenshot(tasklist, `underwriter-review-${name}`);
    // A person of their own: a fresh browser session, logged in as the underwriter.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const tasklist = await context.newPage();
    try {
      await withScreenshotOnFailure(tasklist, "tasklist-underwriter-review", async () => {
        await logIn(tasklist, `${appBase}/tasklist/default/`, underwriter.id, underwriter.password);
        await tasklist.goto(`${appBase}/tasklist/default/#/?filter=${filterId}&task=${taskId}`);
        // The filter lists the review for the underwriter's group; the task opens unclaimed.
        await tasklist
          .locator("section.task-filters")
          .getByText(reviewFilterName)
          .first()
          .waitFor({ timeout: 30_000 });
        await tasklist.locator("section.tasks-list").getByText("Review application").first().waitFor();
        const details = tasklist.locator("section.task-details");
        await details.getByText("Review application").first().waitFor();
        await keep("1-review-unclaimed");
        await details.locator("button", { hasText: /^\s*Claim\s*$/ }).click();
        // Claimed: the Camunda Form shows the application, read-only.
        const form = details.locator(".fjs-container");
        await form.waitFor({ timeout: 30_000 });
        const field = (label: string) => form.getByLabel(label, { exact: true });
        await waitFor(
          "the form to show the business key",
          async () => (await field("Business key").inputValue()) === reviewKey,
        );
        assert.equal(await field("Applicant").inputValue(), "Tom Baker");
        assert.equal(await field("Risk group").inputValue(), "YELLOW");
        assert.equal(
          await field("Why it needs a review (rule of the risk rating)").inputValue(),
          "3. Young drivers (under 25) are reviewed by underwriters.",
        );
        assert.equal(await field("Vehicle make").inputValue(), "Ford");
        assert.equal(await field("Region").inputValue(), "Leeds");
        assert.equal(await field("Applicant").isDisabled(), true, "the application is read-only");
        await form.getByText("DRIVING_LICENCE, VEHICLE_REGISTRATION").waitFor();
        // No decision is preselected, and the reason is asked for only when declining.
        const approve = form.getByLabel("Approve: issue the policy");
        const decline = form.getByLabel("Decline: reject the application");
        assert.equal(await approve.isChecked(), false);
        assert.equal(await decline.isChecked(), false);
        assert.equal(await form.getByLabel("Reason for declining").count(), 0);
        await keep("2-review-claimed-form");
        const complete = details.locator("button", { hasText: /^\s*Complete\s*$/ });
        await decline.check();
        await form.getByLabel("Reason for declining").waitFor();
        // Completing a decline without a reason is refused on the form: the task stays open.
        await complete.click();
        await form.locator(".fjs-form-field-error").first().waitFor({ timeout: 10_000 });
        await keep("3-decline-without-reason");
        assert.equal(await taskExists(taskId), true, "the review stays open without a reason");
        // Tasklist 7.23 keeps Complete disabled after a refused submit: the underwriter reloads the task,
        // which is still claimed by them, and decides again.
        await tasklist.reload();
        await form.waitFor({ timeout: 30_000 });
        await decline.check();
        await form.getByLabel("Reason for declining").fill("Three claims in the last two years.");
        await complete.click();
        await waitFor("the review to be completed", async () => !(await taskExists(taskId)));
        await keep("4-review-completed");
      });
      // The instance went on: through the decline, waiting for the rejection letter, with the decision.
      const instance = await waitFor("the instance to pass the review", async () => {
        const activities = await engine.client.ok(
          engine.client.api.GET("/history/activity-instance", {
            params: { query: { processInstanceId: processInstanceId, unfinished: true } },
          }),
        );
        const open = activities.map((a) => a.activityId ?? "");
        return open.length === 0 || open.includes("Task_ReviewApplication") ? undefined : open;
      });
      assert.ok(instance.includes("Task_RejectApplication"), `the instance waits in ${instance.join(", ")}`);
      const variables = await engine.client.ok(
        engine.client.api.GET("/process-instance/{id}/variables", {
          params: { path: { id: processInstanceId }, query: {} },
        }),
      );
      assert.deepEqual(
        [variables.approved?.value, variables.approved?.type, variables.reviewComment?.value],
        [false, "Boolean", "Three claims in the last two years."],
      );
      const [review] = await engine.client.ok(
        engine.client.api.GET("/history/task", { params: { query: { taskId } } }),
      );
      assert.equal(review?.assignee, underwriter.id, "the underwriter claimed and completed the review");
    } finally {
      await context.close();
    }
  });

  it("Tasklist loads its filter and task panes", async () => {
    await withScreenshotOnFailure(page, "tasklist", async () => {
      await page.goto(`${appBase}/tasklist/default/`);
      await page.locator("section.task-filters [cam-tasklist-filters]").waitFor({ timeout: 30_000 });
      await page.locator("section.tasks-list [cam-tasks]").waitFor();
      await page.locator("section.task-details [cam-tasklist-task]").waitFor();
      assert.equal(await page.title(), "Camunda Tasklist");
    });
  });
});
