/**
 * The linter against the engine's own verdicts: Camunda's BPMN test resources, each deployed alone to a
 * real 7.23 engine (accepted or rejected, with the engine's line and column), and linted alone.
 *
 * Get the files (the camunda-bpm-platform repository at tag 7.23.0):
 *   git clone --depth 1 --branch 7.23.0 https://github.com/camunda/camunda-bpm-platform
 *   the corpus is every engine/src/test/resources/**\/*.bpmn and *.bpmn20.xml (1,946 files)
 *
 * Record the engine's verdicts (starts nothing: point it at a running engine, e.g. `camunda-gitops engine start`):
 *   node --import tsx bench/lint/engine-corpus.ts record --files <engine/src/test/resources> \
 *     --url http://127.0.0.1:8080/engine-rest --out verdicts.json   (CAMUNDA_USERNAME / CAMUNDA_PASSWORD)
 * Score the linter against them and write the section of bench/RESULTS.md:
 *   node --import tsx bench/lint/engine-corpus.ts score --files <engine/src/test/resources> --verdicts verdicts.json
 *
 * Every file is deployed and linted as the engine receives it: processes without a history time to live
 * get camunda:historyTimeToLive="P1D" on the same line (7.23 refuses a process without one, and that
 * is not what the corpus is about), so lines are unchanged.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { lint } from "#core/lint/index.js";
import type { Finding } from "#core/lint/types.js";
import { repoPath } from "../../test/support/repo.js";
import { writeResultsSection } from "../results.js";
import { withHistoryTtl } from "./history-ttl.js";

export interface EngineError {
  message: string;
  line: number;
  column: number;
  /** Column in the deployed copy (differs only right of an inserted TTL attribute). */
  rawColumn?: number;
  mainElementId: string | null;
  elementIds: string[];
}

export interface Verdict {
  file: string;
  status: number;
  accepted: boolean;
  errors: EngineError[];
  otherError?: { type: string; message: string };
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    files: { type: "string" },
    verdicts: { type: "string" },
    url: { type: "string" },
    out: { type: "string", default: "verdicts.json" },
    details: { type: "string" },
    "no-write": { type: "boolean", default: false },
    /** The section of bench/RESULTS.md to write, and the sentence that says which files it measures. */
    section: { type: "string", default: "Lint against the engine: the engine's own test models" },
    selection: { type: "string" },
    note: { type: "string" },
  },
});

const mode = positionals[0];
if (!values.files || (mode !== "record" && mode !== "score")) {
  console.error(
    "usage: engine-corpus.ts record|score --files <folder> [--verdicts file] [--url engine-rest]",
  );
  process.exit(2);
}
const filesRoot = path.resolve(values.files);

function listModels(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(bpmn|bpmn20\.xml)$/.test(entry.name))
        found.push(path.relative(folder, full).split(path.sep).join("/"));
    }
  };
  walk(folder);
  return found.sort();
}

/** Writes the deployable copies (TTL added) into a temporary folder, same relative paths. */
function prepareCopies(files: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "engine-corpus-"));
  for (const file of files) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(
      target,
      withHistoryTtl(readFileSync(path.join(filesRoot, file), "latin1"), "latin1"),
      "latin1",
    );
  }
  return dir;
}

if (mode === "record") {
  const { recordVerdicts } = await import("./engine-verdicts.js");
  const files = listModels(filesRoot);
  const copies = prepareCopies(files);
  try {
    const verdicts = await recordVerdicts(copies, files, values.url ?? "http://127.0.0.1:8080/engine-rest");
    writeFileSync(values.out, `${JSON.stringify(verdicts, null, 2)}\n`);
    console.log(`${verdicts.length} verdicts written to ${values.out}`);
  } finally {
    rmSync(copies, { recursive: true, force: true });
  }
  process.exit(0);
}

// ---------------------------------------------------------------- score

if (!values.verdicts) {
  console.error("score needs --verdicts (from the record step)");
  process.exit(2);
}
const verdicts: Verdict[] = JSON.parse(readFileSync(values.verdicts, "utf8"));
// The CLI is timed as users run it: from its build (made current here).
spawnSync(process.execPath, ["--import", "tsx", repoPath("scripts/build-cli.ts")], { stdio: "inherit" });
const byFile = new Map(verdicts.map((v) => [v.file, v]));
const files = listModels(filesRoot).filter((f) => byFile.has(f));
const copies = prepareCopies(files);

const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const report = await lint({
  paths: [copies],
  root: copies,
  indexPaths: [],
  registry: null,
  configFile: null,
});
const inProcessSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpuUsed = process.cpuUsage(cpuBefore);
const inProcessCpu = (cpuUsed.user + cpuUsed.system) / 1e6;

// The CLI as a user runs it, on the same files, for the wall and CPU time of one call: all files, and
// an even sample of 709 (the size of the selection the issue measured).
function timedCli(folder: string) {
  const timing = path.join(os.tmpdir(), `engine-corpus-time-${process.pid}.txt`);
  const run = spawnSync(
    "/usr/bin/time",
    [
      "-f",
      "%e %U %S",
      "-o",
      timing,
      process.execPath,
      repoPath("bin/camunda-gitops.mjs"),
      "lint",
      "--format",
      "json",
      folder,
    ],
    { encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 },
  );
  const [wall = 0, user = 0, system = 0] = readFileSync(timing, "utf8")
    .trim()
    .split("\n")
    .at(-1)!
    .split(" ")
    .map(Number);
  return { run, wall, cpu: user + system };
}
const sample = path.join(copies, "..", `${path.basename(copies)}-709`);
const step = files.length / 709;
for (let i = 0; i < 709 && files.length >= 709; i++) {
  const file = files[Math.floor(i * step)] as string;
  mkdirSync(path.dirname(path.join(sample, file)), { recursive: true });
  writeFileSync(path.join(sample, file), readFileSync(path.join(copies, file)));
}
const cliAll = timedCli(copies);
const cli709 = files.length >= 709 ? timedCli(sample) : null;
const cli = cliAll.run;
rmSync(copies, { recursive: true, force: true });
rmSync(sample, { recursive: true, force: true });
if (cli.status === null || cli.status > 1) throw new Error(`the CLI failed: ${cli.stderr}`);

const deployFindings = new Map<string, Finding[]>();
const anyError = new Set<string>();
for (const finding of report.findings) {
  if (finding.severity === "error") anyError.add(finding.file);
  if (finding.consequence !== "deploy" || finding.severity !== "error") continue;
  const list = deployFindings.get(finding.file) ?? [];
  list.push(finding);
  deployFindings.set(finding.file, list);
}

/** How each rejection is counted; every one of them is a deployment the engine refused. */
function kindOf(v: Verdict): string {
  if (v.status === 400) return "ParseException (400)";
  const message = v.otherError?.message ?? "";
  if (/commons\/mail/.test(message)) return "mail task, Commons Email absent (500)";
  if (/Cannot load class/.test(message)) return "class not on the engine's class path (500)";
  if (/Could not parse/.test(message)) return "XML parser (500)";
  if (/Error parsing '/.test(message)) return "JUEL syntax (500)";
  return "other (500)";
}

interface Tally {
  rejected: number;
  caught: number;
}
const kinds = new Map<string, Tally>();
let rejected = 0;
let caught = 0;
let flaggedAccepted = 0;
let errorsOnAccepted = 0;
const falsePositives = new Map<string, string[]>();
const misses: string[] = [];
for (const file of files) {
  const verdict = byFile.get(file) as Verdict;
  const flagged = deployFindings.has(file);
  if (!verdict.accepted) {
    rejected++;
    const tally = kinds.get(kindOf(verdict)) ?? { rejected: 0, caught: 0 };
    tally.rejected++;
    if (flagged) {
      caught++;
      tally.caught++;
    } else
      misses.push(
        `${file}: ${verdict.errors[0]?.message ?? verdict.otherError?.message ?? ""}`.slice(0, 240),
      );
    kinds.set(kindOf(verdict), tally);
  } else {
    if (anyError.has(file)) errorsOnAccepted++;
    if (!flagged) continue;
    flaggedAccepted++;
    for (const finding of deployFindings.get(file) ?? []) {
      const list = falsePositives.get(finding.rule) ?? [];
      list.push(`${file}:${finding.line} ${finding.message}`.slice(0, 240));
      falsePositives.set(finding.rule, list);
    }
  }
}

// Positions: every engine error that carries a line, against our deploy findings in that file.
let positioned = 0;
let lineExact = 0;
let columnExact = 0;
let within3 = 0;
const offPositions: string[] = [];
for (const file of files) {
  const verdict = byFile.get(file) as Verdict;
  for (const error of verdict.errors) {
    if (!(error.line > 0)) continue;
    positioned++;
    const ours = deployFindings.get(file) ?? [];
    if (ours.length === 0) continue;
    const ids = new Set([error.mainElementId, ...error.elementIds].filter(Boolean));
    const sameElement = ours.filter((f) => f.elementId !== null && ids.has(f.elementId));
    const candidates = sameElement.length > 0 ? sameElement : ours;
    const column = error.rawColumn ?? error.column;
    if (candidates.some((f) => f.line === error.line && f.column === column)) columnExact++;
    if (candidates.some((f) => f.line === error.line)) lineExact++;
    else
      offPositions.push(
        `${file}: engine ${error.line}:${column}, ours ${candidates.map((f) => `${f.line}:${f.column}`).join(",")}`,
      );
    if (candidates.some((f) => Math.abs(f.line - error.line) <= 3)) within3++;
  }
}

const pct = (n: number, d: number) => (d === 0 ? "n/a" : `${((100 * n) / d).toFixed(1)} %`);
const flaggedTotal = caught + flaggedAccepted;
const accepted = files.length - rejected;
const lines = [
  `## ${values.section}`,
  "",
  `Corpus: ${values.selection ?? "every `*.bpmn` and `*.bpmn20.xml` under `engine/src/test/resources/` of camunda-bpm-platform at tag 7.23.0"}: **${files.length} files**, each deployed alone to the real 7.23 engine (the local \`engine/\`, H2) after adding \`camunda:historyTimeToLive="P1D"\` to processes without one (same line), and linted alone as deployed. The engine accepted ${accepted} and rejected ${rejected}. Every rejection counts, whatever its HTTP status: a ParseException (400) or a failure while parsing (500: mail tasks, whose behaviour needs Apache Commons Email, which neither Camunda Run nor the local engine ship; form handler classes from the engine's test suite; XML the parser refuses; JUEL that does not compile). A file counts as flagged when the linter reports at least one \`deploy\` error on it. Measured ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}.`,
  "",
  "| measure | value |",
  "|---|---:|",
  `| recall: engine rejections flagged | **${pct(caught, rejected)}** (${caught} of ${rejected}) |`,
  `| precision: flagged files the engine rejects | **${pct(caught, flaggedTotal)}** (${caught} of ${flaggedTotal}) |`,
  `| accepted files with a \`deploy\` error | ${flaggedAccepted} of ${accepted} |`,
  `| accepted files with any error (runtime and policy included) | ${errorsOnAccepted} of ${accepted} |`,
  `| engine errors with a position (line, column) | ${positioned} |`,
  `| … our finding on the same element at the same line | **${pct(lineExact, positioned)}** (${lineExact}) |`,
  `| … same line and column | **${pct(columnExact, positioned)}** (${columnExact}) |`,
  `| … within 3 lines | ${pct(within3, positioned)} (${within3}) |`,
  `| lint in process, all ${files.length} files (wall / CPU) | ${inProcessSeconds.toFixed(1)} s / ${inProcessCpu.toFixed(1)} s |`,
  `| \`camunda-gitops lint --format json\`, all ${files.length} files in one call (wall / CPU) | ${cliAll.wall.toFixed(1)} s / ${cliAll.cpu.toFixed(1)} s |`,
  ...(cli709
    ? [
        `| the same, an even sample of 709 files (wall / CPU) | ${cli709.wall.toFixed(1)} s / ${cli709.cpu.toFixed(1)} s |`,
      ]
    : []),
  `| machine: ${os.cpus().length} CPUs, load average at the end | ${os.loadavg()[0]?.toFixed(1)} |`,
  "",
  "| rejection kind | files | flagged |",
  "|---|---:|---:|",
  ...[...kinds.entries()]
    .sort((a, b) => b[1].rejected - a[1].rejected)
    .map(([kind, t]) => `| ${kind} | ${t.rejected} | ${t.caught} |`),
  "",
  ...(values.note ? [values.note, ""] : []),
  `Reproduce (see the script's header for getting the files and recording the verdicts): \`node --import tsx bench/lint/engine-corpus.ts score --files <folder> --verdicts <verdicts.json>${values.section === "Lint against the engine: the engine's own test models" ? "" : ` --section "${values.section}"`}\``,
  "",
];
const section = lines.join("\n");
console.log(section);
console.log(`not flagged (${misses.length}):\n  ${misses.join("\n  ")}`);
for (const [rule, list] of falsePositives)
  console.log(
    `deploy findings on accepted files, ${rule} (${list.length}):\n  ${list.slice(0, 15).join("\n  ")}`,
  );
console.log(`positions off (${offPositions.length}):\n  ${offPositions.slice(0, 40).join("\n  ")}`);
if (values.details) {
  writeFileSync(
    values.details,
    JSON.stringify({ misses, falsePositives: Object.fromEntries(falsePositives), offPositions }, null, 2),
  );
}
if (!values["no-write"]) writeResultsSection(values.section, section);
