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
import { deployModels } from "../../../processes/tests/support/deployment.js";
import { launchBrowser, logIn, withScreenshotOnFailure } from "../../support/browser.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { repoRoot } from "../../support/repo.js";

const engine = testEngine();
const appBase = `${engine.restUrl.replace(/\/engine-rest$/, "")}/camunda/app`;

describe("web apps in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let processDefinitionId: string;
  let businessKey: string;

  before(async () => {
    const tenantId = uniqueId("web");
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
