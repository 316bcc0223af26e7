/**
 * How fast `camunda-gitops` starts: the built CLI (.local/cli/, what `npm ci` makes) against the same
 * CLI run from its TypeScript through tsx (the development path, and what every start cost before the
 * build), with Node starting an empty script as the floor. Runs alternate; medians of wall and CPU time.
 *
 *   node --import tsx bench/lint/cli-startup.ts [--runs 9]
 *
 * Writes the "CLI start-up" section of bench/RESULTS.md.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { repoPath } from "../../test/support/repo.js";
import { writeResultsSection } from "../results.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "9" } } });
const runs = Number(values.runs);
const build = spawnSync(process.execPath, ["--import", "tsx", repoPath("scripts/build-cli.ts")], {
  encoding: "utf8",
});
if (!/built/.test(build.stdout)) throw new Error(`the CLI build failed: ${build.stdout}${build.stderr}`);

const bin = repoPath("bin/camunda-gitops.mjs");
const oneFile = repoPath("processes/risk_rating.dmn");
const cases = [
  { name: "Node, empty script (floor)", entry: undefined, args: ["-e", "0"], node: true },
  { name: "`camunda-gitops --help`", args: ["--help"] },
  { name: "`camunda-gitops lint --help`", args: ["lint", "--help"] },
  {
    name: "`camunda-gitops lint processes/risk_rating.dmn` (one file, with the repository index and topic registry)",
    args: ["lint", oneFile],
  },
] as const;

interface Sample {
  wall: number;
  cpu: number;
}

function measure(args: readonly string[], entry: "built" | "tsx" | undefined): Sample {
  const timing = path.join(os.tmpdir(), `cli-startup-${process.pid}.txt`);
  const result = spawnSync("/usr/bin/time", ["-f", "%e %U %S", "-o", timing, process.execPath, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...(entry ? { CAMUNDA_GITOPS_ENTRY: entry } : {}) },
  });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(" ")}: ${result.stderr}`);
  const [wall = 0, user = 0, system = 0] = readFileSync(timing, "utf8")
    .trim()
    .split("\n")
    .at(-1)!
    .split(" ")
    .map(Number);
  return { wall, cpu: user + system };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const rows: string[] = [];
for (const c of cases) {
  const samples: Record<"built" | "tsx", Sample[]> = { built: [], tsx: [] };
  for (let i = 0; i < runs; i++) {
    if ("node" in c) {
      samples.built.push(measure(c.args, undefined));
      continue;
    }
    samples.tsx.push(measure([bin, ...c.args], "tsx"));
    samples.built.push(measure([bin, ...c.args], "built"));
  }
  const cell = (list: Sample[]) =>
    list.length === 0
      ? ""
      : `${median(list.map((s) => s.wall)).toFixed(2)} s (CPU ${median(list.map((s) => s.cpu)).toFixed(2)} s)`;
  const ratio =
    samples.tsx.length > 0
      ? `${(median(samples.tsx.map((s) => s.wall)) / median(samples.built.map((s) => s.wall))).toFixed(1)}×`
      : "";
  rows.push(`| ${c.name} | ${cell(samples.built)} | ${cell(samples.tsx)} | ${ratio} |`);
  console.log(rows.at(-1));
}

const section = [
  "## CLI start-up",
  "",
  `\`camunda-gitops\` as \`npm ci\` leaves it (built into .local/cli/ by scripts/build-cli.ts) against the same CLI run from its TypeScript through tsx (the development path, used whenever a source is newer than the build; every start before the build existed). ${runs} runs each, alternating; medians of wall time and CPU time (user + system). Measured ${new Date().toISOString().slice(0, 16)}Z on ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}, load average ${os.loadavg()[0]?.toFixed(1)} at the end (a busy shared machine stretches wall time; CPU time is what an idle runner approaches).`,
  "",
  "| command | built CLI | through tsx | tsx ÷ built (wall) |",
  "|---|---:|---:|---:|",
  ...rows,
  "",
  "Reproduce: `node --import tsx bench/lint/cli-startup.ts --runs 9`",
  "",
].join("\n");
writeResultsSection("CLI start-up", section);
console.log(section);
