/**
 * The bpmn-js viewer bundle and its stylesheets, read from the installed `bpmn-js` package so they
 * can be inlined: the HTML report opens without network access, and the pictures are drawn from a
 * page that loads nothing. Resolved at run time from the installed packages (the action's bundle
 * finds them in the checkout's node_modules), never fetched.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { UserError } from "#core/util/errors.js";

export interface ViewerAssets {
  script: string;
  css: string;
}

const resolver = createRequire(import.meta.url);
const cache = new Map<string, ViewerAssets>();

/** `viewer` draws (pictures); `navigated` adds zoom and scroll (the HTML report). */
export function viewerAssets(flavour: "viewer" | "navigated"): ViewerAssets {
  const cached = cache.get(flavour);
  if (cached) return cached;
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
      `the bpmn-js package is not installed next to camunda-gitops (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); run \`npm ci\` in the repository first.`,
    );
  }
  cache.set(flavour, assets);
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
