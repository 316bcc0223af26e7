import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { lint } from "#core/lint/index.js";
import { REPLACED_BPMNLINT_RULES } from "#core/lint/plugin/index.js";
import { relativePath } from "#core/util/paths.js";
import { repoPath, repoRoot } from "../../support/repo.js";
import { fixtures } from "./support.js";

interface ReferenceFinding {
  file: string;
  elementId: string;
  rule: string;
  message: string;
}

/** Parses bpmnlint's table output: a file path line, then `id  category  message  rule` rows. */
function parseBpmnlintOutput(stdout: string): ReferenceFinding[] {
  const findings: ReferenceFinding[] = [];
  let file = "";
  for (const line of stdout.split("\n")) {
    if (line.startsWith("/")) {
      file = relativePath(repoRoot, line.trim());
      continue;
    }
    if (!line.startsWith("  ") || file === "") continue;
    const hasId = !line.startsWith("   ");
    const cells = line.trim().split(/\s{2,}/);
    const [elementId, , message = "", rule = ""] = hasId ? cells : ["", ...cells];
    findings.push({ file, elementId: (elementId ?? "").split("#")[0] ?? "", rule, message });
  }
  return findings;
}

async function bpmnFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".bpmn"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** bpmnlint's graph rules read only <incoming>/<outgoing>; ours derive them from sourceRef/targetRef, as the engine does. */
const GRAPH_RULES = new Set([
  "no-disconnected",
  "no-implicit-start",
  "no-implicit-end",
  "fake-join",
  "superfluous-gateway",
  "no-gateway-join-fork",
  "no-implicit-split",
  "conditional-flows",
]);

/** True when the file has a sequence flow from or to the element: bpmnlint's finding then comes from missing <incoming>/<outgoing>. */
function connectedBySourceRef(file: string, elementId: string): boolean {
  const text = readFileSync(repoPath(file), "utf8");
  return new RegExp(`(sourceRef|targetRef)="${elementId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`).test(text);
}

test("bpmnlint's own CLI finds nothing on the same files that our lint misses (shared rules)", async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), "lint-crosscheck-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = path.join(dir, "recommended.json");
  await writeFile(config, JSON.stringify({ extends: "bpmnlint:recommended" }));
  const files = [...(await bpmnFiles(fixtures)), ...(await bpmnFiles(repoPath("processes")))];
  assert.ok(files.length >= 20);

  const run = spawnSync(
    process.execPath,
    [repoPath("node_modules/bpmnlint/bin/bpmnlint.js"), "--config", config, ...files],
    {
      encoding: "utf8",
      cwd: repoPath(),
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    },
  );
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  const reference = parseBpmnlintOutput(run.stdout);
  assert.ok(reference.length > 50, "bpmnlint reported on the fixtures");

  const ours = await lint({ root: repoRoot, paths: files, indexPaths: [], registry: null, configFile: null });
  const have = new Set(ours.findings.map((f) => `${f.file}|${f.rule}|${f.elementId ?? ""}`));
  // bpmnlint reports moddle's import warnings without a rule name; ours files them under these rules.
  const importRules = new Set([
    "camunda-gitops/undefined-reference",
    "camunda-gitops/modeler-compat",
    "camunda-gitops/duplicate-id",
    "camunda-gitops/not-xml",
    "camunda-gitops/wrong-root",
  ]);
  // Deliberate differences: rules the pack replaces with engine-faithful ones, and graph rules that
  // bpmnlint judges on missing <incoming>/<outgoing> while the flows are there.
  const replaced = new Set(REPLACED_BPMNLINT_RULES);
  // Passing fixtures deploy on the real engine (test/integration/lint/fixtures-on-engine.test.ts): an
  // import warning there (e.g. `tns:` references, an errorRef that is an error code) is bpmnlint's error.
  const engineAccepted = (file: string) => /\/rules\/[^/]+\/pass[^/]*$/.test(file);
  const missed = reference.filter((r) =>
    r.rule === "" && engineAccepted(r.file)
      ? false
      : r.rule === ""
        ? // An import warning (unresolved reference, unknown attribute) is covered by any deploy finding there.
          !ours.findings.some(
            (f) => f.file === r.file && (importRules.has(f.rule) || f.consequence === "deploy"),
          )
        : !replaced.has(r.rule) &&
          !(GRAPH_RULES.has(r.rule) && connectedBySourceRef(r.file, r.elementId)) &&
          !have.has(`${r.file}|${r.rule}|${r.elementId}`),
  );
  assert.deepEqual(missed, []);
});
