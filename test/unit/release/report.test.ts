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
  migration: {
    policy: "covered",
    enabled: true,
    blocking: [],
    digest: "aa",
    processes: [
      {
        key: "claim",
        targetKey: "claim",
        file: "processes/claim.bpmn",
        instructionsFile: "processes/migrations/claim.yaml",
        removed: false,
        declarationErrors: [],
        sources: [
          {
            definitionId: "claim:2:x",
            version: 2,
            versionTag: null,
            instances: 3,
            activities: [
              {
                id: "Task_Review",
                instances: 2,
                incidents: 0,
                failedJobs: 0,
                mappedTo: "Task_Review",
                problem: null,
              },
              {
                id: "Task_Old",
                instances: 1,
                incidents: 1,
                failedJobs: 1,
                mappedTo: "Task_New",
                problem: null,
              },
            ],
            warnings: [
              "Timer_Due: timerEventDefinition.timeDuration PT1H → PT2H; migrated instances keep the old trigger",
            ],
            action: "migrate",
            reasons: [],
            stranded: false,
          },
          {
            definitionId: "claim:1:w",
            version: 1,
            versionTag: "1.0.0",
            instances: 1,
            activities: [
              {
                id: "Task_Gone",
                instances: 1,
                incidents: 0,
                failedJobs: 0,
                mappedTo: null,
                problem: "Task_Gone is not in the new version",
              },
            ],
            warnings: [],
            action: "leave",
            reasons: ["1 waiting in Task_Gone: Task_Gone is not in the new version"],
            stranded: true,
          },
        ],
      },
    ],
  },
  removals: [
    {
      type: "process",
      key: "old_claim",
      definitionId: "old_claim:4:z",
      version: 4,
      release: null,
      action: "suspend",
      reason: "suspended by this release: running instances finish, new ones are refused",
    },
  ],
  identities: null,
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
  removals: [{ key: "old_claim", suspended: ["old_claim:4:z", "old_claim:3:y"] }],
  migrations: [
    {
      key: "claim",
      targetKey: "claim",
      sourceDefinitionId: "claim:2:x",
      sourceVersion: 2,
      targetDefinitionId: "claim:4:ccc",
      status: "migrated",
      instances: 3,
      migrated: 3,
      leftBehind: 0,
      batchId: "batch-1",
      reasons: [],
    },
  ],
  identitiesApplied: [],
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

  it("plan: removed models, and per older version the instances, where each activity goes and what stays", () => {
    const text = formatPlanText(plan, result.rows);
    assert.match(
      text,
      /^removed from git: process old_claim version 4: suspended by this release: running instances finish, new ones are refused$/m,
    );
    assert.match(text, /^running instances on older versions \(migration policy covered\):$/m);
    assert.match(
      text,
      /^ {2}claim version 2: 3 instance\(s\) move to the new version — Task_Review 2 \(same id\), Task_Old 1, 1 incident\(s\) \(→ Task_New\)$/m,
    );
    assert.match(text, /^ {4}note: Timer_Due: timerEventDefinition\.timeDuration PT1H → PT2H/m);
    assert.match(
      text,
      /^ {2}claim version 1 \(1\.0\.0\): 1 instance\(s\) stay on version 1: 1 waiting in Task_Gone: Task_Gone is not in the new version — Task_Gone 1 \(stays\)$/m,
    );
  });

  it("release: what was suspended and migrated, with the batch", () => {
    const text = formatReleaseText(result);
    assert.match(
      text,
      /^suspended: old_claim \(2 version\(s\)\): new instances are refused, running ones finish$/m,
    );
    assert.match(
      text,
      /^migration migrated: claim version 2 → claim:4:ccc: 3 of 3 instance\(s\) moved \(batch batch-1\)$/m,
    );
    assert.doesNotMatch(
      text,
      /running instances on older versions/,
      "a release reports outcomes, not the plan",
    );
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
      "removed",
      "migration",
      "suspended",
      "migrations",
      "smoke",
      "engineProbe",
      "lint",
      "identities",
      "identitiesApplied",
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
