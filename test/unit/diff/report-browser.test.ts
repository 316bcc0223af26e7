/**
 * What a reviewer opens: the HTML report in headless Chromium (Debian's, through playwright-core) with
 * every network request refused, and the PNG pictures decoded pixel by pixel.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { PNG } from "pngjs";
import { type OutputResult, writeReviewOutputs } from "#core/diff/output.js";
import type { DiffReport } from "#core/diff/types.js";
import { chromiumPath, launchBrowser } from "../../support/browser.js";
import { repoRoot } from "../../support/repo.js";
import { fixtureDiff } from "./support.js";

let outDir = "";
let result: OutputResult;
let browser: Browser;

before(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "diff-report-"));
  const report: DiffReport = {
    base: "0123456789abcdef0123456789abcdef01234567",
    head: "WORKTREE",
    files: [
      await fixtureDiff("bpmn", "task-removed"),
      await fixtureDiff("bpmn", "task-added"),
      await fixtureDiff("bpmn", "id-renamed"),
      await fixtureDiff("dmn", "rule-value"),
      await fixtureDiff("dmn", "rules-reordered"),
    ],
  };
  result = await writeReviewOutputs(report, { outDir, toolRoot: repoRoot, browserPath: chromiumPath });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  rmSync(outDir, { recursive: true, force: true });
});

/** Share of pixels that are not (near) white, and whether one colour occurs (within a tolerance). */
function pixels(file: string, colour?: string) {
  const png = PNG.sync.read(readFileSync(path.join(outDir, file)));
  const target = colour ? [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16)) : null;
  let inked = 0;
  let matches = 0;
  const distinct = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    if (r < 240 || g < 240 || b < 240) inked++;
    distinct.add((r << 16) | (g << 8) | b);
    if (
      target &&
      Math.abs(r - target[0]!) < 12 &&
      Math.abs(g - target[1]!) < 12 &&
      Math.abs(b - target[2]!) < 12
    )
      matches++;
  }
  return {
    width: png.width,
    height: png.height,
    ink: inked / (png.width * png.height),
    distinct: distinct.size,
    matches,
  };
}

describe("the review's pictures and HTML report", () => {
  test("a before and an after picture per BPMN file, as SVG and PNG of the same size", () => {
    assert.deepEqual(result.notes, []);
    assert.deepEqual(
      result.pictures.map((p) => `${p.png} ${p.side}`),
      [
        "pictures/processes/task-removed.before.png before",
        "pictures/processes/task-removed.after.png after",
        "pictures/processes/task-added.before.png before",
        "pictures/processes/task-added.after.png after",
        "pictures/processes/id-renamed.before.png before",
        "pictures/processes/id-renamed.after.png after",
      ],
    );
    for (const picture of result.pictures) {
      const png = pixels(picture.png);
      assert.deepEqual([png.width, png.height], [picture.width, picture.height], picture.png);
      // The whole process (1,300 px of model plus the legend) is in the picture.
      assert.ok(png.width > 1200 && png.height > 300, `${picture.png} is ${png.width}×${png.height}`);
      const svg = readFileSync(path.join(outDir, picture.svg), "utf8");
      assert.match(svg, /^<\?xml[\s\S]*<svg[^>]* width="\d+(\.\d+)?" height="\d+(\.\d+)?"/);
    }
  });

  test("the PNGs are drawings, not blank, with the marker colours where the changes are", () => {
    const removedBefore = pixels("pictures/processes/task-removed.before.png", "#c62828");
    const removedAfter = pixels("pictures/processes/task-removed.after.png", "#c62828");
    const addedAfter = pixels("pictures/processes/task-added.after.png", "#1b7f3b");
    const addedBefore = pixels("pictures/processes/task-added.before.png", "#1b7f3b");
    for (const png of [removedBefore, removedAfter, addedAfter, addedBefore]) {
      assert.ok(png.ink > 0.02 && png.ink < 0.6, `ink ${png.ink}`);
      assert.ok(png.distinct > 20, `only ${png.distinct} colours`);
    }
    // Red marks the removed task on the before side only; green the added one on the after side only.
    assert.ok(removedBefore.matches > 200, `red pixels before: ${removedBefore.matches}`);
    assert.equal(removedAfter.matches, 0);
    assert.ok(addedAfter.matches > 200, `green pixels after: ${addedAfter.matches}`);
    assert.equal(addedBefore.matches, 0);
  });

  test("the HTML report opens offline with markers on the diagrams and the decision table rows", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const requests: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      requests.push(url);
      return url.startsWith("file:") ? route.continue() : route.abort();
    });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(pathToFileURL(path.join(outDir, "report.html")).href);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(
      requests.filter((url) => !url.startsWith("file:")),
      [],
      "the report loads nothing from the network",
    );
    assert.equal(await page.locator(".canvas[data-rendered=true]").count(), 6);

    const section = (file: string) => page.locator(`section[data-file="processes/${file}"]`);
    const marked = (file: string, side: string, kind: string, id: string) =>
      section(file)
        .locator(`.canvas[data-side=${side}] .djs-element.diff-${kind}[data-element-id="${id}"]`)
        .count();
    assert.equal(await marked("task-removed.bpmn", "before", "removed", "Task_Escalate"), 1);
    assert.equal(await marked("task-removed.bpmn", "before", "migration", "Task_Escalate"), 1);
    assert.equal(await marked("task-removed.bpmn", "after", "removed", "Task_Escalate"), 0);
    assert.equal(await marked("task-added.bpmn", "after", "added", "Task_NotifyCustomer"), 1);
    assert.equal(await marked("task-added.bpmn", "after", "changed", "Flow_ToArchive"), 1);
    assert.equal(await marked("id-renamed.bpmn", "before", "changed", "Task_Review"), 1);
    assert.equal(await marked("id-renamed.bpmn", "after", "changed", "Task_UnderwriterReview"), 1);

    const london = section("rule-value.dmn").locator('table.dmn tr[data-rule="Rule_London"]');
    assert.equal(await london.getAttribute("class"), "row-changed");
    assert.equal(await london.locator("td.cell-changed del").textContent(), "1.25");
    assert.equal(await london.locator("td.cell-changed ins").textContent(), "1.3");
    const moved = section("rules-reordered.dmn").locator('table.dmn tr[data-rule="Rule_OldVehicle"]');
    assert.equal(await moved.getAttribute("class"), "row-moved");
    assert.equal(await moved.locator("td").first().textContent(), "3 → 1");
    assert.match(
      (await section("rules-reordered.dmn").locator("p.order").textContent()) ?? "",
      /row order is business logic/,
    );

    const migration = section("task-removed.bpmn").locator("table.changes tr.migration");
    assert.equal(await migration.getAttribute("data-element"), "Task_Escalate");
    await page.close();
  });

  test("model text cannot inject markup into the report", async () => {
    const hostile = (await fixtureDiff("bpmn", "topic-changed")).changes[0]!;
    const report: DiffReport = {
      base: "a".repeat(40),
      head: "WORKTREE",
      files: [
        {
          file: "processes/x.bpmn",
          kind: "bpmn",
          status: "changed",
          layoutOnly: false,
          changes: [
            {
              ...hostile,
              after: '</script><img src=x onerror="window.pwned=1">',
              message: "<b id=injected>x</b>",
            },
          ],
          sources: { before: "</script><script>window.pwned=1</script>", after: null },
        },
      ],
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), "diff-hostile-"));
    try {
      await writeReviewOutputs(report, { outDir: dir, toolRoot: repoRoot, pictures: false });
      const page = await browser.newPage();
      await page.goto(pathToFileURL(path.join(dir, "report.html")).href);
      await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
      assert.equal(await page.evaluate("window.pwned"), undefined);
      assert.equal(await page.locator("#injected").count(), 0);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
