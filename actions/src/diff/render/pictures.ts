/**
 * Before and after pictures of each changed BPMN file, drawn by bpmn-js in a headless browser, with
 * added, removed, changed and moved elements marked and a legend: an SVG (vector, for the report and
 * for zooming) and a PNG of the same drawing (for places that show images only).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FileDiff } from "../types.js";
import { inlineJson, inlineScript, viewerAssets } from "./assets.js";
import type { BrowserPage, HeadlessBrowser } from "./browser.js";
import { diagramMarkers, type MarkerKind, type MarkerMap } from "./markers.js";
import { PAGE_SCRIPT } from "./page-script.js";

export interface Picture {
  file: string;
  side: "before" | "after";
  /** Paths relative to the output folder, forward slashes. */
  svg: string;
  png: string;
  width: number;
  height: number;
}

export interface PictureResult {
  pictures: Picture[];
  /** Sentences about drawings that could not be made (a file without a diagram, …). */
  notes: string[];
}

function renderPage(xml: string, markers: MarkerMap, legend: MarkerKind[], toolRoot: string): string {
  const { script, css } = viewerAssets("viewer", toolRoot);
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}
html, body { margin: 0; background: #fff; } #canvas { width: 1600px; height: 1000px; }</style></head>
<body><div id="canvas"></div>
<script>${inlineScript(script)}</script>
<script>${inlineScript(PAGE_SCRIPT)}</script>
<script type="application/json" id="input">${inlineJson({ xml, markers, legend })}</script>
<script>
(async function () {
  try {
    var input = JSON.parse(document.getElementById("input").textContent);
    var viewer = new BpmnJS({ container: "#canvas" });
    await viewer.importXML(input.xml);
    var marked = window.diffMarkers.apply(viewer, input.markers);
    if (input.legend.length > 0) window.diffMarkers.legend(viewer, input.legend);
    var result = await viewer.saveSVG();
    window.__result = { svg: result.svg, marked: marked };
  } catch (error) {
    window.__result = { error: String((error && error.message) || error) };
  }
})();
</script></body></html>`;
}

function legendKinds(markers: MarkerMap): MarkerKind[] {
  const present = new Set(Object.values(markers).flat());
  return (["added", "removed", "changed", "moved", "migration"] as const).filter((k) => present.has(k));
}

async function draw(page: BrowserPage, xml: string, markers: MarkerMap, toolRoot: string): Promise<string> {
  await page.setContent(renderPage(xml, markers, legendKinds(markers), toolRoot), { waitUntil: "load" });
  await page.waitForFunction("window.__result !== undefined", undefined, { timeout: 30_000 });
  const result = (await page.evaluate("window.__result")) as { svg?: string; error?: string };
  if (!result.svg) throw new Error(result.error ?? "bpmn-js produced no drawing");
  return result.svg;
}

function svgSize(svg: string): { width: number; height: number } {
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 800);
  const height = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 600);
  return { width: Math.ceil(width), height: Math.ceil(height) };
}

async function rasterise(page: BrowserPage, svg: string): Promise<Buffer> {
  const { width, height } = svgSize(svg);
  await page.setViewportSize({ width: Math.max(1, width), height: Math.max(1, height) });
  const body = svg.replace(/^[\s\S]*?(<svg\b)/, "$1");
  await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${body}</body></html>`);
  return page.locator("svg").first().screenshot();
}

/** `processes/claims/claim.bpmn` → `pictures/processes/claims/claim.before.svg` */
function pictureBase(file: string, side: string): string {
  return `pictures/${file.replace(/\.(bpmn|bpmn20\.xml)$/i, "")}.${side}`;
}

export async function renderPictures(
  files: readonly FileDiff[],
  outDir: string,
  browser: HeadlessBrowser,
  toolRoot: string,
  onProgress: (line: string) => void = () => {},
): Promise<PictureResult> {
  const pictures: Picture[] = [];
  const notes: string[] = [];
  const drawing = await browser.newPage();
  const raster = await browser.newPage();
  // The pages load nothing: the viewer is inline, and anything else a model might point at is refused.
  for (const page of [drawing, raster]) await page.route("**/*", (route) => route.abort());
  try {
    for (const file of files) {
      if (file.kind !== "bpmn" || file.problem || !file.sources) continue;
      const markers = diagramMarkers(file);
      for (const side of ["before", "after"] as const) {
        const xml = file.sources[side];
        if (xml === null) continue;
        onProgress(`${file.file} (${side})`);
        let svg: string;
        try {
          svg = await draw(drawing, xml, markers[side], toolRoot);
        } catch (error) {
          notes.push(
            `${file.file} (${side}) was not drawn: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
          );
          continue;
        }
        const base = pictureBase(file.file, side);
        const png = await rasterise(raster, svg);
        await mkdir(path.dirname(path.join(outDir, base)), { recursive: true });
        await writeFile(path.join(outDir, `${base}.svg`), svg);
        await writeFile(path.join(outDir, `${base}.png`), png);
        pictures.push({ file: file.file, side, svg: `${base}.svg`, png: `${base}.png`, ...svgSize(svg) });
      }
    }
  } finally {
    await drawing.close();
    await raster.close();
  }
  return { pictures, notes };
}
