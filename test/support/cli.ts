/**
 * Runs the `camunda-gitops` CLI in a child process against any checkout (a temporary repository with
 * its own environments/ and processes/). The child gets this process's environment without any
 * CAMUNDA_* variable, plus `env`.
 */
import { spawn } from "node:child_process";
import { repoPath, repoRoot } from "./repo.js";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(root: string, argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CAMUNDA_")));
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", repoPath("test", "support", "cli-entry.ts"), root, ...argv],
      { cwd: repoRoot, env: { ...base, CI: "true", ...env } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
