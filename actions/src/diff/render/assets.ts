/**
 * The bpmn-js viewer bundle and its stylesheets, read from the installed `bpmn-js` package so they
 * can be inlined: the HTML report opens without network access, and the pictures are drawn from a
 * page that loads nothing. Read at run time from the checkout's installed packages, never fetched.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { UserError } from "#core/util/errors.js";

export interface ViewerAssets {
  script: string;
  css: string;
}

const cache = new Map<string, ViewerAssets>();

/**
 * `viewer` draws (pictures); `navigated` adds zoom and scroll (the HTML report). `toolRoot` is the
 * checkout whose node_modules hold bpmn-js (the CLI's root, the action's workspace).
 */
export function viewerAssets(flavour: "viewer" | "navigated", toolRoot: string): ViewerAssets {
  const key = `${flavour}:${toolRoot}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const resolver = createRequire(path.join(toolRoot, "package.json"));
  const bundle =
    flavour === "viewer" ? "bpmn-viewer.production.min.js" : "bpmn-navigated-viewer.production.min.js";
  let assets: ViewerAssets;
  try {
    assets = {
      script: readFileSync(resolver.resolve(`bpmn-js/dist/${bundle}`), "utf8"),
      css: ["diagram-js.css", "bpmn-js.css"]
        .map((file) => readFileSync(resolver.resolve(`bpmn-js/dist/assets/${file}`), "utf8"))
        .join("\n"),
    };
  } catch (error) {
    throw new UserError(
      `the bpmn-js package is not installed in ${toolRoot} (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); run \`npm ci\` there first.`,
    );
  }
  cache.set(key, assets);
  return assets;
}

/** Makes text safe inside an inline <script>: no "</script", no HTML comment openers. */
export function inlineScript(text: string): string {
  return text.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** JSON for an inline <script type="application/json">: "<" escaped, so model text cannot close the tag. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
