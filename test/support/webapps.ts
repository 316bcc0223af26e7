/**
 * What a person checks in Cockpit, Tasklist and Admin, as page steps shared by the browser test on the
 * test engine and the newcomer scenario on a clone's `npm start`. Each step waits for what a person
 * would wait for (counts arrive after the page) and fails with what it did not see.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";

/** `http://host:port/camunda/app` of an engine, from its REST URL. */
export function webAppsBase(restUrl: string): string {
  return `${restUrl.replace(/\/engine-rest\/?$/, "")}/camunda/app`;
}

const slow = { timeout: 30_000 };

/** Cockpit's dashboard counts the deployed process definitions (at least `atLeast` of them); returns the count. */
export async function cockpitDashboard(page: Page, appBase: string, atLeast: number): Promise<number> {
  await page.goto(`${appBase}/cockpit/default/#/dashboard`);
  await page.getByText("Running Process Instances").waitFor(slow);
  const processDefinitions = page
    .locator("xpath=//*[normalize-space()='Process Definitions']/following-sibling::*[1]")
    .first();
  await page.waitForFunction(
    ([element, least]) => Number(element?.textContent?.trim()) >= (least as number),
    [await processDefinitions.elementHandle(), atLeast] as const,
    slow,
  );
  return Number((await processDefinitions.textContent())?.trim());
}

/**
 * Cockpit's runtime view of a process definition: the diagram drawn, with the running instances
 * counted on the activities they wait in. Returns the badge's count on `activityId`.
 */
export async function cockpitDiagramCount(
  page: Page,
  appBase: string,
  processDefinitionId: string,
  activityId: string,
): Promise<number> {
  await page.goto(`${appBase}/cockpit/default/#/process-definition/${processDefinitionId}/runtime`);
  await page.locator(`g[data-element-id='${activityId}']`).first().waitFor(slow);
  const badge = page.locator(`.djs-overlays[data-container-id='${activityId}'] .badge.instance-count`);
  await badge.waitFor(slow);
  return Number((await badge.textContent())?.trim());
}

/** Admin's user list shows each of the users (by id, in the list's id column). */
export async function adminUsers(page: Page, appBase: string, userIds: string[]): Promise<void> {
  await page.goto(`${appBase}/admin/default/#/users`);
  await page.locator("table tbody tr").first().waitFor(slow);
  for (const id of userIds) {
    await page
      .locator("table tbody tr td:first-child", { hasText: new RegExp(`^\\s*${id}\\s*$`) })
      .first()
      .waitFor({ timeout: 10_000 });
  }
}

/**
 * In Tasklist (logged in), picks the filter by name in the filter pane, waits for its task list, and
 * opens the task `taskId` in it (on a shared engine the list may hold others' tasks too) or, without
 * one, the first entry; returns the task details pane, with the task unclaimed.
 */
export async function openTaskFromFilter(
  page: Page,
  appBase: string,
  filterName: string,
  taskId?: string,
): Promise<Locator> {
  await page.goto(`${appBase}/tasklist/default/`);
  const filter = page.locator("section.task-filters .task-filter", { hasText: filterName }).first();
  await filter.waitFor(slow);
  await filter.locator("a").first().click();
  await page.waitForFunction("/[?&]filter=/.test(window.location.hash)", undefined, slow);
  const entries = page.locator("section.tasks-list li.task");
  await entries.first().waitFor(slow);
  if (taskId) {
    const filterId = /[?&]filter=([^&]+)/.exec(new URL(page.url()).hash)?.[1];
    await page.goto(`${appBase}/tasklist/default/#/?filter=${filterId}&task=${taskId}`);
  } else {
    await entries.first().locator("a").first().click();
  }
  const details = page.locator("section.task-details");
  await details.locator("button", { hasText: /^\s*Claim\s*$/ }).waitFor(slow);
  return details;
}

/** The review form's fields, by label, once the task is claimed. */
export function reviewForm(details: Locator) {
  const form = details.locator(".fjs-container");
  return {
    form,
    field: (label: string) => form.getByLabel(label, { exact: true }),
    approve: form.getByLabel("Approve: issue the policy"),
    decline: form.getByLabel("Decline: reject the application"),
    reason: form.getByLabel("Reason for declining"),
    complete: details.locator("button", { hasText: /^\s*Complete\s*$/ }),
  };
}

/** Claims the open task and waits for the review form to show the application's business key. */
export async function claimReview(details: Locator, businessKey: string) {
  await details.locator("button", { hasText: /^\s*Claim\s*$/ }).click();
  const review = reviewForm(details);
  await review.form.waitFor(slow);
  await review.field("Business key").waitFor(slow);
  const deadline = Date.now() + 30_000;
  while ((await review.field("Business key").inputValue()) !== businessKey) {
    assert.ok(Date.now() < deadline, `the review form does not show the business key ${businessKey}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return review;
}
