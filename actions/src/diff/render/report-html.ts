/**
 * One self-contained HTML page for a review: per BPMN file the before and after diagrams in the bpmn-js
 * viewer (zoom and scroll) with the changes marked, per DMN file each decision table with changed
 * cells and rows marked, and every change in a table. The viewer, its styles and the models are inline
 * and a Content-Security-Policy forbids any request, so the page opens from an artifact offline.
 */
import { orderedFiles, plural, sections, shortSha, totals } from "../format/order.js";
import type { Change, DiffReport, FileDiff, TableView } from "../types.js";
import { inlineJson, inlineScript, viewerAssets } from "./assets.js";
import { diagramMarkers, MARKER_STYLES } from "./markers.js";
import { PAGE_SCRIPT } from "./page-script.js";
import type { Picture } from "./pictures.js";

export interface HtmlOptions {
  /** The checkout whose node_modules hold bpmn-js. */
  toolRoot: string;
  title?: string;
  /** Pictures written next to the report (relative paths), linked under each diagram. */
  pictures?: readonly Picture[];
  note?: string | null;
}

function html(text: string | null | undefined): string {
  return String(text ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header, main { padding: 16px 24px; } header { background: #fff; border-bottom: 1px solid #ddd; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 0 0 8px; } h3 { font-size: 15px; margin: 16px 0 6px; }
.file { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 16px; margin: 0 0 20px; }
.status { font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #eee; margin-left: 6px; vertical-align: middle; }
.legend span { display: inline-block; margin-right: 14px; } .legend b { display: inline-block; width: 22px; text-align: center; border: 2px solid; border-radius: 3px; margin-right: 4px; }
.diagrams { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; } figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; } .canvas { height: 420px; border: 1px solid #ccc; background: #fff; }
.canvas .error, .problem { color: #b00020; padding: 8px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; } th, td { border: 1px solid #ccc; padding: 3px 7px; vertical-align: top; text-align: left; }
th { background: #f0f0f0; } td code { white-space: pre-wrap; word-break: break-word; }
tr.migration td { font-weight: 600; } tr.migration td:first-child::before { content: "! "; color: #c62828; }
del { background: #fdecea; color: #8e1c1c; } ins { background: #e3f4e8; color: #1b5e20; text-decoration: none; }
tr.row-added td { background: #e3f4e8; } tr.row-removed td { background: #fdecea; text-decoration: line-through; }
tr.row-moved td:first-child, th.col-added, th.col-removed, th.col-changed { font-weight: 700; }
th.col-added { background: #e3f4e8; } th.col-removed { background: #fdecea; } th.col-changed { background: #fff1df; }
td.cell-changed { background: #fff1df; } .order { color: #8a4b00; font-weight: 600; }
details { margin: 6px 0; } summary { cursor: pointer; }
`;

function legend(): string {
  const items = Object.values(MARKER_STYLES).map(
    (s) =>
      `<span><b style="color:${s.stroke};border-color:${s.stroke};background:${s.fill}">${html(s.badge)}</b>${html(s.label)}</span>`,
  );
  return `<p class="legend">${items.join("")}<span><b style="border-color:#000">!</b>migration-relevant</span></p>`;
}

function changeRows(changes: readonly Change[]): string {
  return changes
    .map(
      (c) =>
        `<tr class="change change-${c.type}${c.migrationRelevant ? " migration" : ""}" data-element="${html(c.elementId)}"><td>${c.type}</td><td>${html(c.elementId)}${c.elementName ? ` “${html(c.elementName)}”` : ""}${c.elementType ? `<br><small>${html(c.elementType)}</small>` : ""}</td><td>${html(c.property ?? "–")}</td><td><code>${html(c.before ?? "–")}</code></td><td><code>${html(c.after ?? "–")}</code></td><td>${html(c.message)}${c.runningInstances !== undefined ? `<br><strong>${c.runningInstances} running</strong>` : ""}</td></tr>`,
    )
    .join("\n");
}

function changeTable(changes: readonly Change[]): string {
  if (changes.length === 0) return "";
  return `<table class="changes"><thead><tr><th>Change</th><th>Element</th><th>Property</th><th>Before</th><th>After</th><th>What it means</th></tr></thead><tbody>\n${changeRows(changes)}\n</tbody></table>`;
}

function entry(cell: { before: string | null; after: string | null }): { text: string; changed: boolean } {
  if (cell.before === cell.after) return { text: html(cell.after ?? ""), changed: false };
  const before = cell.before === null ? "" : `<del>${html(cell.before)}</del>`;
  const after = cell.after === null ? "" : `<ins>${html(cell.after)}</ins>`;
  return {
    text: `${before}${before && after ? " → " : ""}${after}`,
    changed: cell.before !== null && cell.after !== null,
  };
}

function decisionTable(view: TableView): string {
  const policy =
    view.hitPolicy.before === view.hitPolicy.after
      ? html(view.hitPolicy.after)
      : `${view.hitPolicy.before ? `<del>${html(view.hitPolicy.before)}</del> → ` : ""}<ins>${html(view.hitPolicy.after ?? "")}</ins>`;
  const head = view.columns
    .map(
      (c) =>
        `<th class="col-${c.status} ${c.kind}" title="${c.kind}">${html(c.label)}${c.kind === "output" ? " ⇒" : ""}</th>`,
    )
    .join("");
  const rows = view.rows
    .map((row) => {
      const position =
        row.status === "moved" ? `${row.before} → ${row.after}` : String(row.after ?? row.before ?? "");
      const cells = row.cells
        .map((cell) => {
          const e = entry(cell);
          return `<td class="${e.changed ? "cell-changed" : ""}">${e.text}</td>`;
        })
        .join("");
      return `<tr class="row-${row.status}" data-rule="${html(row.id)}"><td>${html(position)}</td><td><code>${html(row.id)}</code></td>${cells}</tr>`;
    })
    .join("\n");
  const order = view.orderMatters
    ? `<p class="order">Hit policy ${html(view.hitPolicy.after ?? view.hitPolicy.before)}: the first matching rule wins, so the row order is business logic.</p>`
    : "";
  return `<h3>Decision ${html(view.decisionId)}${view.decisionName ? ` “${html(view.decisionName)}”` : ""} — hit policy ${policy}</h3>${order}
<table class="dmn" data-decision="${html(view.decisionId)}"><thead><tr><th>#</th><th>Rule</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>`;
}

function pictureLinks(pictures: readonly Picture[], file: string, side: "before" | "after"): string {
  const picture = pictures.find((p) => p.file === file && p.side === side);
  return picture
    ? ` <small>(<a href="${html(picture.svg)}">SVG</a> · <a href="${html(picture.png)}">PNG</a>)</small>`
    : "";
}

function fileSection(file: FileDiff, index: number, pictures: readonly Picture[]): string {
  const s = sections(file);
  const status = file.problem ? "cannot be compared" : file.layoutOnly ? "layout only" : file.status;
  const parts = [
    `<section class="file" id="file-${index}" data-file="${html(file.file)}" data-kind="${file.kind}">`,
    `<h2>${html(file.file)}<span class="status">${html(status)}</span>${file.previousFile ? ` <small>renamed from ${html(file.previousFile)}</small>` : ""}</h2>`,
  ];
  if (file.problem) {
    parts.push(`<p class="problem">${html(file.problem)}</p></section>`);
    return parts.join("\n");
  }
  if (file.kind === "bpmn") {
    const figure = (side: "before" | "after") =>
      `<figure><figcaption>${side === "before" ? "Before" : "After"}${pictureLinks(pictures, file.file, side)}</figcaption><div class="canvas" data-file-index="${index}" data-side="${side}"></div></figure>`;
    parts.push(`<div class="diagrams">${figure("before")}${figure("after")}</div>`);
  }
  for (const table of file.tables ?? []) parts.push(decisionTable(table));
  parts.push(changeTable([...s.migration, ...s.semantic]));
  if (s.layout.length > 0) {
    parts.push(
      `<details><summary>${plural(s.layout.length, "layout or metadata change")} (no change in behaviour)</summary>${changeTable(s.layout)}</details>`,
    );
  }
  parts.push("</section>");
  return parts.join("\n");
}

const INIT_SCRIPT = `
(async function () {
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var canvases = document.querySelectorAll(".canvas[data-file-index]");
  for (var i = 0; i < canvases.length; i++) {
    var node = canvases[i];
    var file = data[node.getAttribute("data-file-index")];
    var side = node.getAttribute("data-side");
    var xml = file && file.sources[side];
    if (!xml) { node.innerHTML = '<p class="error">(no such file on this side)</p>'; node.setAttribute("data-rendered", "absent"); continue; }
    try {
      var viewer = new BpmnJS({ container: node });
      await viewer.importXML(xml);
      window.diffMarkers.apply(viewer, file.markers[side]);
      viewer.get("canvas").zoom("fit-viewport");
      node.setAttribute("data-rendered", "true");
    } catch (error) {
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = "The diagram cannot be shown: " + ((error && error.message) || error);
      node.appendChild(p);
      node.setAttribute("data-rendered", "error");
    }
  }
  document.body.setAttribute("data-ready", "true");
})();
`;

export function renderHtmlReport(report: DiffReport, options: HtmlOptions): string {
  const { script, css } = viewerAssets("navigated", options.toolRoot);
  const files = orderedFiles(report);
  const t = totals(report);
  const data: Record<number, unknown> = {};
  files.forEach((file, index) => {
    if (file.kind === "bpmn" && file.sources && !file.problem) {
      data[index] = { sources: file.sources, markers: diagramMarkers(file) };
    }
  });
  const title = options.title ?? "Process changes";
  const summary =
    t.files === 0
      ? "No BPMN or DMN file changed."
      : `${plural(t.files, "model file")} · ${plural(t.changes, "behaviour change")} · ${plural(t.migrationRelevant, "migration-relevant change")} · ${plural(t.layoutOnlyFiles, "layout-only file")}`;
  const nav = files
    .map(
      (f, i) =>
        `<li><a href="#file-${i}">${html(f.file)}</a> (${html(f.layoutOnly ? "layout only" : f.status)})</li>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
<style>${css}</style><style>${STYLE}</style></head>
<body>
<header><h1>${html(title)}</h1>
<p>${html(shortSha(report.base))} → ${html(shortSha(report.head))}: ${html(summary)}</p>
${options.note ? `<p>${html(options.note)}</p>` : ""}${legend()}
<ul>${nav}</ul></header>
<main>
${files.map((f, i) => fileSection(f, i, options.pictures ?? [])).join("\n")}
</main>
<script type="application/json" id="review-data">${inlineJson(data)}</script>
<script>${inlineScript(script)}</script>
<script>${inlineScript(PAGE_SCRIPT)}</script>
<script>${INIT_SCRIPT}</script>
</body></html>
`;
}
