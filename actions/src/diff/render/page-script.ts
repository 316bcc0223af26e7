/**
 * Browser-side code shared by the pictures and the HTML report, injected as text next to the bpmn-js
 * viewer bundle. It colours marked elements with inline styles (so an exported SVG keeps them without
 * any CSS), adds a badge with a symbol to each (readable without colour), tags them with `diff-<kind>`
 * classes, and can draw a legend into the diagram for the exported pictures.
 */
import { MARKER_STYLES } from "./markers.js";

export const PAGE_SCRIPT = `
(function () {
  "use strict";
  var STYLES = ${JSON.stringify(MARKER_STYLES)};
  var SVG_NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    for (var key in attrs) node.setAttribute(key, String(attrs[key]));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function badge(x, y, style, migration) {
    var group = svg("g", { "class": "diff-badge" });
    group.appendChild(svg("circle", { cx: x, cy: y, r: 10, fill: style.stroke, stroke: migration ? "#000" : "#fff", "stroke-width": migration ? 2.5 : 1.5 }));
    group.appendChild(svg("text", { x: x, y: y + 4.5, "text-anchor": "middle", "font-family": "Arial, sans-serif", "font-size": 14, "font-weight": "bold", fill: "#fff" }, style.badge));
    if (migration) {
      group.appendChild(svg("text", { x: x + 14, y: y + 5, "font-family": "Arial, sans-serif", "font-size": 14, "font-weight": "bold", fill: "#000" }, "!"));
    }
    return group;
  }

  function apply(viewer, markers) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var applied = 0;
    Object.keys(markers).forEach(function (id) {
      var element = registry.get(id);
      if (!element) return;
      var kinds = markers[id];
      var main = kinds.filter(function (k) { return k !== "migration"; })[0] || "changed";
      var migration = kinds.indexOf("migration") !== -1;
      var style = STYLES[main];
      kinds.forEach(function (k) { canvas.addMarker(id, "diff-" + k); });
      var gfx = registry.getGraphics(element);
      var visual = gfx && gfx.querySelector(".djs-visual");
      if (!visual) return;
      if (element.waypoints) {
        var path = visual.querySelector("path");
        if (path) {
          path.style.stroke = style.stroke;
          path.style.strokeWidth = "3px";
          if (main === "removed") path.style.strokeDasharray = "6 4";
        }
        var middle = element.waypoints[Math.floor(element.waypoints.length / 2)];
        var previous = element.waypoints[Math.floor(element.waypoints.length / 2) - 1] || middle;
        // Connections are drawn in absolute coordinates; shapes inside a group translated to their corner.
        visual.appendChild(badge((middle.x + previous.x) / 2, (middle.y + previous.y) / 2, style, migration));
      } else if (element.type !== "label") {
        var shape = visual.firstElementChild;
        if (shape) {
          shape.style.stroke = style.stroke;
          shape.style.strokeWidth = migration ? "5px" : "3px";
          if (!/SubProcess|Participant|Lane/.test(element.type)) shape.style.fill = style.fill;
          if (main === "removed") shape.style.strokeDasharray = "8 4";
        }
        visual.appendChild(badge(element.width, 0, style, migration));
      }
      applied++;
    });
    return applied;
  }

  function legend(viewer, kinds) {
    var canvas = viewer.get("canvas");
    var layer = canvas.getActiveLayer();
    var box = layer.getBBox();
    var group = svg("g", { "class": "diff-legend" });
    var x = box.x;
    var y = box.y + box.height + 40;
    kinds.filter(function (kind) { return STYLES[kind]; }).forEach(function (kind) {
      var style = STYLES[kind];
      group.appendChild(svg("rect", { x: x, y: y - 12, width: 24, height: 18, rx: 3, fill: style.fill, stroke: style.stroke, "stroke-width": 2 }));
      group.appendChild(svg("text", { x: x + 12, y: y + 2, "text-anchor": "middle", "font-family": "Arial, sans-serif", "font-size": 13, "font-weight": "bold", fill: style.stroke }, style.badge));
      var label = svg("text", { x: x + 32, y: y + 2, "font-family": "Arial, sans-serif", "font-size": 13, fill: "#222" }, style.label);
      group.appendChild(label);
      x += 40 + style.label.length * 7.5;
    });
    if (kinds.indexOf("migration") !== -1) {
      group.appendChild(svg("text", { x: x, y: y + 2, "font-family": "Arial, sans-serif", "font-size": 13, "font-weight": "bold", fill: "#000" }, "! migration-relevant"));
    }
    layer.appendChild(group);
  }

  window.diffMarkers = { apply: apply, legend: legend };
})();
`;
