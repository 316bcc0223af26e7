/**
 * Helpers for the diff tests: the fixture pairs under test/fixtures/diff/ (one base model per kind and
 * one changed copy per change kind), a projection of changes that is easy to compare, and a throwaway
 * git repository.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { diffModel } from "#core/diff/model.js";
import type { Change, FileDiff, ModelKind } from "#core/diff/types.js";
import { repoPath } from "../../support/repo.js";

export function fixture(kind: ModelKind, name: string): string {
  return readFileSync(repoPath("test/fixtures/diff", kind, `${name}.${kind}`), "utf8");
}

/** The diff of `base.<kind>` (or another base) against `<name>.<kind>`. */
export function fixtureDiff(kind: ModelKind, name: string, base = "base"): Promise<FileDiff> {
  return diffModel({
    file: `processes/${name}.${kind}`,
    kind,
    before: fixture(kind, base),
    after: fixture(kind, name),
  });
}

/** [elementId, type, property, before, after, migrationRelevant] of each change, for deepEqual. */
export function rows(
  changes: readonly Change[],
): Array<[string, string, string | null, string | null, string | null, boolean]> {
  return changes.map((c) => [c.elementId, c.type, c.property, c.before, c.after, c.migrationRelevant]);
}

/** A git repository in a temporary folder; `main` is its main branch. */
export class TempGit {
  readonly root = mkdtempSync(path.join(os.tmpdir(), "diff-repo-"));

  constructor() {
    this.git("init", "--quiet", "--initial-branch=main");
    this.git("config", "user.email", "reviewer@example.com");
    this.git("config", "user.name", "Reviewer");
    this.git("config", "commit.gpgsign", "false");
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-C", this.root, ...args], { encoding: "utf8" }).trim();
  }

  write(file: string, content: string): void {
    const target = path.join(this.root, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }

  remove(file: string): void {
    rmSync(path.join(this.root, file));
  }

  commit(message: string): string {
    this.git("add", "-A");
    this.git("commit", "--quiet", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
