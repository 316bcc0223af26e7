/**
 * Cockpit, Tasklist and Admin load and show the platform, seen in a real browser (Debian's Chromium):
 * the engine's own web apps, served by the local engine exactly as `npm start` launches it, with
 * authorization on. The people are environments/local.yaml's, provisioned on the test engine by the
 * same plan-and-apply a release runs (the `underwriter` logs in with its generated password and works
 * from the declared "Reviews for my groups" filter). A web app that stays a blank page (an app plugin
 * script that answers 404) fails here, with a screenshot.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ApplicationCase } from "../../../processes/tests/support/actors.js";
import { deployModels } from "../../../processes/tests/support/deployment.js";
import { boolean, double, json, string } from "../../../processes/tests/support/values.js";
import { keepScreenshot, launchBrowser, logIn, withScreenshotOnFailure } from "../../support/browser.js";
import { testEngine, uniqueId, waitFor } from "../../support/engine.js";
import { joinTenant, type ProvisionedEnvironment, provisionEnvironment } from "../../support/identities.js";
import { repoRoot } from "../../support/repo.js";
import {
  adminUsers,
  claimReview,
  cockpitDashboard,
  cockpitDiagramCount,
  openTaskFromFilter,
  webAppsBase,
} from "../../support/webapps.js";

const engine = testEngine();
const appBase = webAppsBase(engine.restUrl);
const reviewFilterName = "Reviews for my groups";
/** The people environments/local.yaml declares for Tasklist. */
const declaredPeople = ["underwriter", "seniorunderwriter", "supervisor", "clerk"];

async function taskExists(taskId: string): Promise<boolean> {
  const [task] = await engine.client.ok(engine.client.api.GET("/task", { params: { query: { taskId } } }));
  return task !== undefined;
}

describe("web apps in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let local: ProvisionedEnvironment;
  let processDefinitionId: string;
  let businessKey: string;
  let tenantId: string;

  before(async () => {
    // environments/local.yaml's groups, users, grants and filters, as `npm start` provisions them.
    local = await provisionEnvironment("local");
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
      assert.ok((await cockpitDashboard(page, appBase, 2)) >= 2);
      await keepScreenshot(page, "cockpit-dashboard");
    });
  });

  it("Cockpit shows the insurance process diagram with the waiting instance counted on its activity", async () => {
    await withScreenshotOnFailure(page, "cockpit-process-diagram", async () => {
      assert.equal(
        await cockpitDiagramCount(page, appBase, processDefinitionId, "Task_ValidateApplication"),
        1,
      );
      // The diagram is drawn and the instance listed under it.
      await page.locator("g[data-element-id='Task_ReviewApplication']").first().waitFor();
      await page.getByText(businessKey).waitFor();
      await keepScreenshot(page, "cockpit-process-diagram");
    });
  });

  it("Admin lists the users environments/local.yaml declares", async () => {
    await withScreenshotOnFailure(page, "admin-users", async () => {
      await adminUsers(page, appBase, [engine.username, ...declaredPeople]);
      await keepScreenshot(page, "admin-users");
    });
  });

  it("the declared underwriter finds the YELLOW review in 'Reviews for my groups', reads the application on the form, declines with a reason, and the instance goes on", async () => {
    // The engines of the real environments hold one tenant; here the underwriter joins the test's own.
    await joinTenant(tenantId, ["underwriter"]);
    // A second YELLOW application, validated and priced by the workers (played here through REST).
    const example = JSON.parse(readFileSync(path.join(repoRoot, "processes/examples/yellow.json"), "utf8"));
    const reviewKey = uniqueId("APP-REVIEW");
    const application = new ApplicationCase(engine.client, tenantId, reviewKey);
    await application.start({ ...example.variables, applicationId: string(reviewKey) });
    await application.work("validate-application", {
      applicationComplete: boolean(true),
      missingDocuments: json([]),
    });
    await application.work("calculate-premium", { premium: double(1310.25) });
    const taskId = await application.openTask("Task_ReviewApplication");
    const processInstanceId = application.processInstanceId;
    const keep = (name: string) => keepScreenshot(tasklist, `underwriter-review-${name}`);
    // A person of their own: a fresh browser session, logged in as the declared underwriter.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const tasklist = await context.newPage();
    try {
      await withScreenshotOnFailure(tasklist, "tasklist-underwriter-review", async () => {
        await logIn(tasklist, `${appBase}/tasklist/default/`, "underwriter", local.password("underwriter"));
        // The declared filter lists the review of the underwriters' group; the task opens unclaimed.
        const details = await openTaskFromFilter(tasklist, appBase, reviewFilterName, taskId);
        assert.match(new URL(tasklist.url()).hash, new RegExp(`task=${taskId}`));
        await keep("1-review-unclaimed");
        // Claimed: the Camunda Form shows the application, read-only.
        const review = await claimReview(details, reviewKey);
        const { form, field, approve, decline, complete } = review;
        assert.equal(await field("Applicant").inputValue(), "Tom Baker");
        assert.equal(await field("Risk group").inputValue(), "YELLOW");
        assert.equal(
          await field("Why it needs a review (rule of the risk rating)").inputValue(),
          "3. Young drivers (under 25) are reviewed by underwriters.",
        );
        assert.equal(await field("Vehicle make").inputValue(), "Ford");
        assert.equal(await field("Region").inputValue(), "Leeds");
        assert.equal(await field("Yearly premium").inputValue(), "1310.25");
        assert.equal(await field("Applicant").isDisabled(), true, "the application is read-only");
        await form.getByText("DRIVING_LICENCE, VEHICLE_REGISTRATION").waitFor();
        // No decision is preselected, and the reason is asked for only when declining.
        assert.equal(await approve.isChecked(), false);
        assert.equal(await decline.isChecked(), false);
        assert.equal(await review.reason.count(), 0);
        await keep("2-review-claimed-form");
        await decline.check();
        await review.reason.waitFor();
        // Completing a decline without a reason is refused on the form: the task stays open.
        await complete.click();
        await form.locator(".fjs-form-field-error").first().waitFor({ timeout: 10_000 });
        // Tasklist 7.23 also shows a general notice that stays over the Complete button until it is
        // closed (processes/README.md, "The review form"); the underwriter closes it and goes on.
        const notice = tasklist.locator(".page-notifications", {
          hasText: "An error happened while submitting the task form",
        });
        await notice.waitFor({ timeout: 10_000 });
        await keep("3-decline-without-reason");
        assert.equal(await taskExists(taskId), true, "the review stays open without a reason");
        await notice.locator("button.close:visible").first().click();
        await review.reason.fill("Three claims in the last two years.");
        await keep("4-review-filled");
        await complete.click();
        await waitFor("the review to be completed", async () => !(await taskExists(taskId)));
        await keep("5-review-completed");
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
      assert.equal(review?.assignee, "underwriter", "the underwriter claimed and completed the review");
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
