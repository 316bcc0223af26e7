/**
 * Everything a review writes into one folder (the CLI's --out, the action's workflow artifact):
 * report.json (the contract), report.md (the comment), report.html (self-contained) and the pictures.
 * Pictures need a browser; without one the rest is written and a note says why they are missing.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { errorMessage, UserError } from "#core/util/errors.js";
import { formatJson } from "./format/json.js";
import { formatMarkdown } from "./format/markdown.js";
import { findBrowser, launchHeadless } from "./render/browser.js";
import { type Picture, renderPictures } from "./render/pictures.js";
import { renderHtmlReport } from "./render/report-html.js";
import type { DiffReport } from "./types.js";

export interface OutputOptions {
  outDir: string;
  /** The checkout whose node_modules hold bpmn-js and playwright-core. */
  toolRoot: string;
  /** Draw SVG/PNG pictures (default true). */
  pictures?: boolean;
  /** A Chromium or Chrome executable; default: CHROMIUM_PATH or the usual install locations. */
  browserPath?: string | null;
  /** A line shown under the title of the Markdown and HTML reports. */
  note?: string | null;
  onProgress?: (line: string) => void;
}

export interface OutputResult {
  outDir: string;
  /** Written files, relative to outDir. */
  files: string[];
  pictures: Picture[];
  /** Sentences about what could not be produced (no browser, a file without a diagram). */
  notes: string[];
}

export async function writeReviewOutputs(report: DiffReport, options: OutputOptions): Promise<OutputResult> {
  const outDir = path.resolve(options.outDir);
  const progress = options.onProgress ?? (() => {});
  await mkdir(outDir, { recursive: true });
  const notes: string[] = [];
  let pictures: Picture[] = [];
  const drawable = report.files.some((f) => f.kind === "bpmn" && !f.problem);
  if (options.pictures !== false && drawable) {
    const browserPath = findBrowser(options.browserPath);
    if (!browserPath) {
      notes.push(
        "pictures skipped: no Chromium or Chrome found (install Debian's chromium, or set CHROMIUM_PATH); the HTML report draws the diagrams when opened",
      );
    } else {
      try {
        const browser = await launchHeadless(browserPath, options.toolRoot);
        try {
          const result = await renderPictures(report.files, outDir, browser, options.toolRoot, (line) =>
            progress(`drawing ${line}`),
          );
          pictures = result.pictures;
          notes.push(...result.notes);
        } finally {
          await browser.close();
        }
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        notes.push(`pictures skipped: ${errorMessage(error)}`);
      }
    }
  }
  progress("writing report.json, report.md, report.html");
  await writeFile(path.join(outDir, "report.json"), formatJson(report));
  await writeFile(path.join(outDir, "report.md"), formatMarkdown(report, { note: options.note ?? null }));
  await writeFile(
    path.join(outDir, "report.html"),
    renderHtmlReport(report, { toolRoot: options.toolRoot, pictures, note: options.note ?? null }),
  );
  const files = ["report.json", "report.md", "report.html", ...pictures.flatMap((p) => [p.svg, p.png])];
  return { outDir, files, pictures, notes };
}
