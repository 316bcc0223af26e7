/**
 * Release source integrity: which files a release may deploy. A ref must be on the main branch unless
 * allowed; the ref's own lint configuration is never used; the linter gates exactly the released
 * files (dist/ included, node_modules/ excluded from both); a crafted tree cannot write outside the
 * export; a release without its approved plan digest, or from a dirty tree, is refused. No engine:
 * every refusal happens before the first request, which the unreachable client would fail.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createCamundaClient } from "#core/camunda/index.js";
import { loadEnvironment } from "#core/environments/load.js";
import { type Connection, releaseTarget } from "#core/release/connect.js";
import { releaseIntegrity } from "#core/release/integrity.js";
import { projectLintGate } from "#core/release/lint-gate.js";
import { release } from "#core/release/release.js";
import { exportSegments, openSource } from "#core/release/source.js";
import { UsageError, UserError } from "#core/util/errors.js";
import { processXml, quietSteps, TempRepo } from "../../integration/release/support.js";
import { repoRoot } from "../../support/repo.js";

const config = (notForRelease: string[], rules: Record<string, string> = {}) =>
  JSON.stringify({
    extends: ["bpmnlint:recommended", "plugin:camunda-gitops/recommended"],
    rules,
    "camunda-gitops": { notForRelease },
  });

/** A process the project's rules refuse (an error): no history time to live. */
const withoutTtl = (key: string) => processXml(key).replace(' camunda:historyTimeToLive="P1D"', "");

/** Nothing listens here: any request would fail, so a refusal proves nothing was sent. */
const unreachable = createCamundaClient({
  baseUrl: "http://127.0.0.1:9/engine-rest",
  username: "nobody",
  password: "nothing",
  retries: 0,
});
const target = {
  environment: "staging",
  restUrl: "http://127.0.0.1:9/engine-rest",
  tenantId: null,
  deploymentName: "insurance-platform",
  deploymentSource: "integrity-test",
};

describe("release --ref: only commits on the main branch", () => {
  const repo = new TempRepo();
  after(() => repo.dispose());
  repo.write("processes/.bpmnlintrc", config(["processes/examples/"]));
  repo.write("processes/a.bpmn", processXml("int_a"));
  const merged = repo.commit("merged");
  repo.git("checkout", "-q", "-b", "feature");
  repo.write("processes/a.bpmn", processXml("int_a", { taskName: "Unreviewed" }));
  const unmerged = repo.commit("not merged");
  repo.git("checkout", "-q", "main");

  it("accepts a commit of main (a rollback)", async () => {
    const source = await openSource({ repoRoot: repo.root, ref: merged.slice(0, 10) });
    assert.equal(source.commit, merged);
    await source.dispose();
  });

  it("refuses an unmerged commit, naming it and the way out", async () => {
    for (const ref of ["feature", unmerged]) {
      await assert.rejects(openSource({ repoRoot: repo.root, ref }), (error: unknown) => {
        assert.ok(error instanceof UserError, String(error));
        assert.equal(
          error.message,
          `--ref ${ref} (${unmerged.slice(0, 12)}) is not on main: a release from a ref deploys only merged (reviewed) commits; merge it first, or, for a non-production environment whose file allows it, pass --allow-unmerged.`,
        );
        return true;
      });
    }
  });

  it("accepts it with allowUnmerged", async () => {
    const source = await openSource({ repoRoot: repo.root, ref: "feature", allowUnmerged: true });
    assert.match(source.resources[0]!.text, /name="Unreviewed"/);
    await source.dispose();
  });

  it("refuses when the clone knows no main branch", async () => {
    const other = new TempRepo();
    try {
      other.git("checkout", "-q", "-b", "trunk");
      other.write("processes/a.bpmn", processXml("int_t"));
      const commit = other.commit("on trunk");
      await assert.rejects(
        openSource({ repoRoot: other.root, ref: commit }),
        /this clone knows no main branch \(origin\/main or main\)/,
      );
    } finally {
      other.dispose();
    }
  });

  it("--allow-unmerged only where the environment file allows it (dev), never prod or staging", () => {
    const connection = (name: string): Connection => {
      const environment = loadEnvironment(name, { env: {}, dir: path.join(repoRoot, "environments") });
      return {
        environment,
        target: releaseTarget(environment),
        client: unreachable,
        username: "nobody",
        authenticatedUserPassword: () => "",
        allowSmokeTests: false,
        identities: null,
        engine: "",
      };
    };
    assert.deepEqual(releaseIntegrity(connection("dev"), { allowUnmerged: true, allowDirty: false }), {
      allowUnmerged: true,
      allowDirty: false,
    });
    for (const name of ["staging", "prod"]) {
      assert.throws(
        () => releaseIntegrity(connection(name), { allowUnmerged: true, allowDirty: false }),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.equal(
            error.message,
            `--allow-unmerged is not allowed for "${name}": its file does not set camunda.allowUnmergedRefs: true (meant for dev, never prod); release a commit of the main branch.`,
          );
          return true;
        },
      );
    }
    // A dirty tree: allowed for local without asking, elsewhere only when asked.
    assert.equal(
      releaseIntegrity(connection("local"), { allowUnmerged: false, allowDirty: false }).allowDirty,
      true,
    );
    assert.equal(
      releaseIntegrity(connection("prod"), { allowUnmerged: false, allowDirty: false }).allowDirty,
      false,
    );
    assert.equal(
      releaseIntegrity(connection("prod"), { allowUnmerged: false, allowDirty: true }).allowDirty,
      true,
    );
  });
});

describe("release --ref: the ref's lint configuration is ignored", () => {
  const repo = new TempRepo();
  after(() => repo.dispose());
  repo.write("processes/.bpmnlintrc", config(["processes/examples/"]));
  repo.write("processes/a.bpmn", processXml("cfg_a"));
  repo.commit("reviewed config");
  // A later commit on main switches the rule off and hides a model from the release...
  repo.write(
    "processes/.bpmnlintrc",
    config(["processes/examples/", "processes/b.bpmn"], { "camunda-gitops/history-ttl": "off" }),
  );
  repo.write("processes/a.bpmn", withoutTtl("cfg_a"));
  repo.write("processes/b.bpmn", withoutTtl("cfg_b"));
  const weakened = repo.commit("rules off");
  // ...and the checkout running the release restores the reviewed configuration.
  repo.write("processes/.bpmnlintrc", config(["processes/examples/"]));
  repo.commit("rules back on");

  it("exports the checkout's configuration, so the ref's notForRelease and rule switches do nothing", async () => {
    const source = await openSource({ repoRoot: repo.root, ref: weakened });
    try {
      assert.equal(
        readFileSync(path.join(source.processesDir, ".bpmnlintrc"), "utf8"),
        readFileSync(path.join(repo.root, "processes/.bpmnlintrc"), "utf8"),
      );
      assert.deepEqual(
        source.resources.map((r) => r.name),
        ["a.bpmn", "b.bpmn"],
      );
      const report = await projectLintGate({ toolRoot: repoRoot })({
        root: source.root,
        processesDir: source.processesDir,
        files: source.resources.map((r) => r.absolute),
      });
      const labels = report.findings.filter(
        (f) => f.rule === "camunda-gitops/history-ttl" && f.severity === "error",
      );
      assert.deepEqual([...new Set(labels.map((f) => f.file))].sort(), [
        "processes/a.bpmn",
        "processes/b.bpmn",
      ]);
    } finally {
      await source.dispose();
    }
  });

  it("the release refuses the ref on those errors before reaching the engine", async () => {
    await assert.rejects(
      release({
        client: unreachable,
        target,
        repoRoot: repo.root,
        ref: weakened,
        lint: projectLintGate({ toolRoot: repoRoot }),
        step: quietSteps,
      }),
      /the linter reports \d+ error\(s\) in processes\/a\.bpmn, processes\/b\.bpmn; the release did not start/,
    );
  });
});

describe("the set linted is the set released", () => {
  const repo = new TempRepo();
  after(() => repo.dispose());
  repo.write(
    "processes/.bpmnlintrc",
    config(["processes/examples/", "processes/tests/", "processes/drafts/"]),
  );
  repo.write("processes/a.bpmn", processXml("set_a"));
  repo.write("processes/dist/built.bpmn", withoutTtl("set_dist"));
  repo.write("processes/claims/node_modules/pkg/dep.bpmn", withoutTtl("set_dep"));
  repo.write("processes/node_modules/pkg/top.bpmn", withoutTtl("set_top"));
  repo.write("processes/drafts/d.bpmn", withoutTtl("set_draft"));
  repo.write("processes/examples/e.bpmn", withoutTtl("set_example"));
  repo.commit("models");

  it("dist/ is released and linted; node_modules/ at any depth is neither", async () => {
    const source = await openSource({ repoRoot: repo.root });
    try {
      assert.deepEqual(
        source.resources.map((r) => r.file),
        ["processes/a.bpmn", "processes/dist/built.bpmn"],
      );
      const report = await projectLintGate({ toolRoot: repoRoot })({
        root: source.root,
        processesDir: source.processesDir,
        files: source.resources.map((r) => r.absolute),
      });
      // Exactly the released files: dist/ in, node_modules/, drafts and examples out.
      assert.equal(report.summary.files, 2);
      const linted = new Set(report.findings.map((f) => f.file).filter((f) => f.endsWith(".bpmn")));
      for (const file of linted)
        assert.ok(file === "processes/a.bpmn" || file === "processes/dist/built.bpmn", file);
      assert.ok(
        report.findings.some((f) => f.file === "processes/dist/built.bpmn" && f.severity === "error"),
        JSON.stringify(report.findings),
      );
    } finally {
      await source.dispose();
    }
  });

  it("the release is refused on the dist/ file's lint error", async () => {
    await assert.rejects(
      release({
        client: unreachable,
        target,
        repoRoot: repo.root,
        lint: projectLintGate({ toolRoot: repoRoot }),
        step: quietSteps,
      }),
      /the linter reports \d+ error\(s\) in processes\/dist\/built\.bpmn; the release did not start/,
    );
  });
});

describe("release --ref: a crafted tree cannot write outside the export", () => {
  const repo = new TempRepo();
  after(() => repo.dispose());
  repo.write("processes/a.bpmn", processXml("esc_a"));
  repo.commit("models");

  const mktree = (lines: string): string =>
    execFileSync("git", ["-C", repo.root, "mktree"], { input: lines, encoding: "utf8" }).trim();

  it("refuses a commit whose tree holds processes/../../<file>, and writes nothing", async () => {
    // git mktree does not check entry names: a pushed commit can carry ".." entries.
    const name = `escape-${process.pid}-${Date.now()}.bpmn`;
    const blob = repo.git("rev-parse", "HEAD:processes/a.bpmn");
    const leaf = mktree(`100644 blob ${blob}\t${name}\n`);
    const up = mktree(`040000 tree ${leaf}\t..\n`);
    const processes = mktree(`040000 tree ${up}\t..\n100644 blob ${blob}\ta.bpmn\n`);
    const tree = mktree(`040000 tree ${processes}\tprocesses\n`);
    const commit = repo.git("commit-tree", tree, "-p", "HEAD", "-m", "crafted");
    repo.git("update-ref", "refs/heads/main", commit);
    await assert.rejects(openSource({ repoRoot: repo.root, ref: commit }), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.equal(
        error.message,
        `--ref ${commit} holds the path "processes/../../${name}", which has a ".." segment; such a path could write outside the export, so nothing was released — inspect the commit.`,
      );
      return true;
    });
    assert.equal(existsSync(path.join(os.tmpdir(), name)), false);
    assert.equal(existsSync(path.join(path.dirname(os.tmpdir()), name)), false);
  });

  for (const [file, segment] of [
    ["processes/../escape.bpmn", '".."'],
    ["processes/./a.bpmn", '"."'],
    ["processes//a.bpmn", "empty"],
    ["/etc/escape.bpmn", "empty"],
  ] as const) {
    it(`refuses the path ${file}`, () => {
      assert.throws(
        () => exportSegments(file, "v1"),
        (error: unknown) => {
          assert.ok(error instanceof UserError);
          assert.equal(
            error.message,
            `--ref v1 holds the path "${file}", which has a ${segment} segment; such a path could write outside the export, so nothing was released — inspect the commit.`,
          );
          return true;
        },
      );
    });
  }
});

describe("a release deploys only what was approved and committed", () => {
  const repo = new TempRepo();
  after(() => repo.dispose());
  repo.write("processes/a.bpmn", processXml("dirty_a"));
  repo.commit("models");

  it("refuses to deploy without the approved plan digest when one is required", async () => {
    await assert.rejects(
      release({
        client: unreachable,
        target,
        repoRoot: repo.root,
        lint: null,
        requirePlanDigest: true,
        step: quietSteps,
      }),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(
          error.message,
          "the release to staging has no expected plan digest: it deploys only the plan its reviewers approved; pass the plan's digest (the plan job's plan-digest output, or `plan --format json`).",
        );
        return true;
      },
    );
  });

  it("refuses a dirty tree unless allowed", async () => {
    repo.write("processes/a.bpmn", processXml("dirty_a", { taskName: "Uncommitted" }));
    await assert.rejects(
      release({ client: unreachable, target, repoRoot: repo.root, lint: null, step: quietSteps }),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.equal(
          error.message,
          "processes/ has uncommitted changes, and a release to staging deploys only committed files; commit or stash them (git status processes), or pass --allow-dirty.",
        );
        return true;
      },
    );
    // Allowed, it goes on to the engine, which is unreachable here: the refusal above was the check's.
    await assert.rejects(
      release({
        client: unreachable,
        target,
        repoRoot: repo.root,
        lint: null,
        allowDirty: true,
        step: quietSteps,
      }),
      (error: unknown) => !/uncommitted changes/.test(String(error)),
    );
  });
});
