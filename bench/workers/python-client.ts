/**
 * The Python contender's own set-up: camunda-external-task-client-python3 (the seed's language) in a
 * virtual environment of its own under .venv/ (git-ignored), built once and reused. It is not one of
 * the test tools (scripts/python-tools.txt): only this benchmark runs it. No Python, no network: the
 * benchmark runs without this contender and says why.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoPath } from "../../test/support/repo.js";
import { log } from "./contenders.js";

// The client imports pydantic without declaring it.
const REQUIREMENTS = ["camunda-external-task-client-python3==4.5.0", "pydantic==2.*"];
const REQUIREMENT = REQUIREMENTS.join(" ");

export function pythonClient(): { python: string } | { missing: string } {
  if (process.env.BENCH_PYTHON) return { python: process.env.BENCH_PYTHON };
  const dir = repoPath(".venv", "bench-python-client");
  const python = path.join(dir, "bin", "python");
  const stamp = path.join(dir, ".requirements");
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, "utf8") === REQUIREMENT)
    return { python };
  try {
    log(`installing ${REQUIREMENT} into .venv/bench-python-client`);
    execFileSync(process.env.PYTHON ?? "python3", ["-m", "venv", dir], { stdio: "pipe" });
    execFileSync(
      python,
      ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...REQUIREMENTS],
      {
        stdio: "pipe",
      },
    );
    writeFileSync(stamp, REQUIREMENT);
    return { python };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split("\n").at(-1);
    return { missing: `${REQUIREMENT} could not be installed (${stderr || (error as Error).message})` };
  }
}
