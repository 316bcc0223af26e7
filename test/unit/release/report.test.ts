import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Plan } from "#core/release/plan.js";
import { type ReleaseResult, releaseInfo } from "#core/release/release.js";
import {
  formatPlanText,
  formatReleaseMarkdown,
  formatReleaseText,
  releaseJson,
} from "#core/release/report.js";

const plan: Plan = {
  target: {
    environment: "dev",
    restUrl: "https://camunda.dev.example/engine-rest",
    tenantId: null,
    deploymentName: "insurance-platform",
    deploymentSource: "github-actions",
  },
  commit: "0123456789abcdef0123456789abcdef01234567",
  ref: "v1.2.0",
  dirty: false,
  resources: [
    {
      name: "claim.bpmn",
      file: "processes/claim.bpmn",
      kind: "bpmn",
      sha256: "a".repeat(64),
      status: "changed",
      summary: 'changed Task_Review "Review | check" (name)',
      outsideRelease: null,
      definitions: [
        {
          type: "process",
          key: "claim",
          name: "Claim",
          previous: {
            type: "process",
            id: "claim:3:aaa",
            key: "claim",
            version: 3,
            resource: "claim.bpmn",
            deploymentId: "d1",
            tenantId: null,
          },
        },
      ],
    },
    {
      name: "rates.dmn",
      file: "processes/rates.dmn",
      kind: "dmn",
      sha256: "b".repeat(64),
      status: "unchanged",
      summary: null,
      outsideRelease: null,
      definitions: [
        {
          type: "decision",
          key: "rates",
          name: null,
          previous: {
            type: "decision",
            id: "rates:1:bbb",
            key: "rates",
            version: 1,
            resource: "rates.dmn",
            deploymentId: "d0",
            tenantId: null,
          },
        },
      ],
    },
  ],
  ignored: [{ file: "processes/pool.bpmn", reason: "holds no executable process" }],
  counts: { new: 0, changed: 1, unchanged: 1 },
  digest: "0011223344556677",
};

const result: ReleaseResult = {
  environment: "dev",
  dryRun: false,
  plan,
  deployment: {
    id: "dep-2",
    created: true,
    name: "insurance-platform",
    source: "github-actions",
    tenantId: null,
  },
  rows: [
    {
      type: "process",
      key: "claim",
      file: "processes/claim.bpmn",
      previousVersion: 3,
      newVersion: 4,
      definitionId: "claim:4:ccc",
      status: "updated",
      change: "changed",
      summary: plan.resources[0]!.summary,
    },
    {
      type: "decision",
      key: "rates",
      file: "processes/rates.dmn",
      previousVersion: 1,
      newVersion: 1,
      definitionId: "rates:1:bbb",
      status: "unchanged",
      change: "unchanged",
      summary: null,
    },
  ],
  newVersions: 1,
  lint: { errors: 0, warnings: 2 },
  smoke: [],
  engineProbe: null,
};

describe("release reports", () => {
  it("console: a headline and one aligned row per key with previous -> new -> definition id", () => {
    const text = formatReleaseText(result);
    const lines = text.split("\n");
    assert.equal(
      lines[0],
      "Released dev (https://camunda.dev.example/engine-rest) from v1.2.0 @ 0123456789ab: 1 new version(s) in deployment dep-2.",
    );
    assert.match(text, /^key\s+previous\s+new\s+definition id\s+status$/m);
    assert.match(text, /^claim\s+3\s+4\s+claim:4:ccc\s+updated$/m);
    assert.match(text, /^rates\s+1\s+1\s+rates:1:bbb\s+unchanged$/m);
    assert.match(text, /not deployed: processes\/pool\.bpmn holds no executable process/);
  });

  it("says so when a release created no new versions", () => {
    const text = formatReleaseText({
      ...result,
      newVersions: 0,
      deployment: { ...result.deployment!, created: false },
    });
    assert.match(text.split("\n")[0]!, /: no new versions; the engine already has every file\.$/);
  });

  it("plan: the change summary per key", () => {
    const text = formatPlanText(plan, result.rows);
    assert.match(text, /0 new, 1 changed, 1 unchanged file\(s\)/);
    assert.match(text, /^claim\s+processes\/claim\.bpmn\s+3\s+changed\s+changed Task_Review/m);
  });

  it("job summary: a Markdown table with pipes escaped", () => {
    const markdown = formatReleaseMarkdown(result);
    assert.match(markdown, /^### Process release: dev$/m);
    assert.match(markdown, /^\| key \| previous \| new \| definition id \| status \|$/m);
    assert.match(markdown, /^\| claim \| 3 \| 4 \| claim:4:ccc \| updated \|$/m);
    const dry = formatReleaseMarkdown({ ...result, dryRun: true });
    assert.match(dry, /Review \\\| check/);
  });

  it("JSON: the action output contract", () => {
    const json = releaseJson(result);
    assert.deepEqual(Object.keys(json), [
      "environment",
      "dryRun",
      "commit",
      "ref",
      "planDigest",
      "deployment",
      "newVersions",
      "definitions",
      "ignored",
      "smoke",
      "engineProbe",
      "lint",
    ]);
    assert.deepEqual(json.definitions[0], {
      key: "claim",
      type: "process",
      file: "processes/claim.bpmn",
      previousVersion: 3,
      newVersion: 4,
      definitionId: "claim:4:ccc",
      status: "updated",
      change: "changed",
      summary: 'changed Task_Review "Review | check" (name)',
    });
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(json)));
  });

  it("release.json records the repository, the commit, the run and the files, and nothing else", () => {
    const run = {
      id: "4242",
      attempt: 1,
      url: "https://github.example/org/repo/actions/runs/4242",
      workflow: "Release processes",
      actor: "alice",
    };
    const info = JSON.parse(releaseInfo(plan, { repository: "org/repo", run }));
    assert.deepEqual(info, {
      repository: "org/repo",
      commit: plan.commit,
      ref: "v1.2.0",
      dirty: false,
      environment: "dev",
      run,
      resources: { "claim.bpmn": `sha256:${"a".repeat(64)}`, "rates.dmn": `sha256:${"b".repeat(64)}` },
    });
    // No clock, no host: the same plan and run give the same bytes.
    assert.equal(
      releaseInfo(plan, { repository: "org/repo", run }),
      releaseInfo(structuredClone(plan), { repository: "org/repo", run: { ...run } }),
    );
    // Outside CI (a laptop without a remote) both stay null rather than guessed.
    assert.deepEqual(JSON.parse(releaseInfo(plan)).run, null);
  });
});
