/**
 * cfn-lint and checkov (both from PyPI, installed into .venv by scripts/setup-tools.sh) over every
 * template, cfn-lint once per AWS environment with the parameters that environment deploys with.
 * Any finding fails; an ignored rule must carry a written reason in the template.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { listEnvironments, loadEnvironment } from "#core/environments/load.js";
import { allStacks, exampleRepository, planStack, toParameterFile } from "#core/infrastructure/parameters.js";
import { repoPath } from "../../support/repo.js";
import { loadTemplates, templateFiles, templatesDir } from "./templates.js";

const environmentsFolder = repoPath("environments");

const cfnLintPython = repoPath(".venv", "tools", "bin", "python");
const batchScript = repoPath("test", "unit", "cloudformation", "cfn_lint_batch.py");
const checkov = repoPath(".venv", "checkov", "bin", "checkov");
const environments = listEnvironments(environmentsFolder)
  .map((name) => loadEnvironment(name, { dir: environmentsFolder }).config)
  .filter((config) => config.aws && config.infrastructure);
const work = mkdtempSync(path.join(tmpdir(), "cfn-params-"));
after(() => rmSync(work, { recursive: true, force: true }));

interface LintFinding {
  template: string;
  parameters: string;
  line: number;
  rule: string;
  level: string;
  message: string;
}

/** One cfn-lint process for all jobs (rules load once), informational rules included. */
function lintBatch(jobs: { template: string; parameters: string; region: string }[]): LintFinding[] {
  const result = spawnSync(cfnLintPython, [batchScript], { input: JSON.stringify(jobs), encoding: "utf8" });
  assert.equal(result.status, 0, `cfn-lint did not run: ${result.stderr.slice(-1000)}`);
  return JSON.parse(result.stdout) as LintFinding[];
}

describe("cfn-lint", () => {
  test("every template is covered by the stack plan", () => {
    const templates = templateFiles()
      .map((f) => path.basename(f, ".yaml"))
      .sort();
    assert.deepEqual(templates, [...allStacks].sort());
  });

  test("every template with every AWS environment's parameters: no errors, warnings or informational findings", () => {
    assert.ok(existsSync(cfnLintPython), `${cfnLintPython} is missing; run scripts/setup-tools.sh`);
    assert.ok(environments.length >= 3, "expected the dev, staging and prod environments");
    // The environment files, plus the one shape none of them uses today: a single host behind the
    // HTTPS load balancer (dev with a certificate).
    const dev = environments.find((e) => e.name === "dev");
    const certificateArn = environments.find((e) => e.infrastructure?.certificateArn)?.infrastructure
      ?.certificateArn;
    const variants = [
      ...environments.map((config) => ({ label: config.name, config })),
      ...(dev?.infrastructure && certificateArn
        ? [
            {
              label: "dev-single-host-https",
              config: { ...dev, infrastructure: { ...dev.infrastructure, certificateArn } },
            },
          ]
        : []),
    ];
    assert.equal(variants.length, environments.length + 1);
    const jobs = variants.flatMap(({ label, config }) =>
      allStacks.map((key) => {
        const plan = planStack(config, key, { repository: exampleRepository, allEnvironments: environments });
        const parameters = path.join(work, `${label}-${key}.json`);
        writeFileSync(parameters, JSON.stringify(toParameterFile(plan.parameters)));
        return { template: repoPath(plan.template), parameters, region: config.aws?.region ?? "eu-west-2" };
      }),
    );
    const findings = lintBatch(jobs).map(
      (f) =>
        `${path.relative(repoPath(), f.template)}:${f.line} with ${path.basename(f.parameters)}: ${f.rule} (${f.level}) ${f.message}`,
    );
    assert.deepEqual(findings, []);
  });

  test("cfn-lint catches a broken template (the check can fail)", () => {
    const broken = path.join(work, "broken.yaml");
    writeFileSync(
      broken,
      'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: { Status: "Sometimes" }\n',
    );
    const parameters = path.join(work, "none.json");
    writeFileSync(parameters, "[]");
    const findings = lintBatch([{ template: broken, parameters, region: "eu-west-2" }]);
    assert.ok(
      findings.some((f) => f.level === "error" && f.rule.startsWith("E")),
      JSON.stringify(findings),
    );
  });

  test("every rule a template ignores names its reason", () => {
    for (const template of loadTemplates().values()) {
      const config =
        (template.Metadata?.["cfn-lint"] as {
          config?: { ignore_checks?: string[] };
          reasons?: Record<string, string>;
        }) ?? {};
      for (const id of config.config?.ignore_checks ?? []) {
        assert.ok(
          (config.reasons?.[id] ?? "").length >= 20,
          `${template.name}.yaml ignores ${id} without Metadata.cfn-lint.reasons.${id}`,
        );
      }
      for (const [id, resource] of Object.entries(template.Resources)) {
        const ignores =
          (resource.Metadata?.["cfn-lint"] as { config?: { ignore_checks?: string[] } } | undefined)?.config
            ?.ignore_checks ?? [];
        const reasons =
          (resource.Metadata?.["cfn-lint"] as { reasons?: Record<string, string> } | undefined)?.reasons ??
          {};
        for (const rule of ignores)
          assert.ok(
            (reasons[rule] ?? "").length >= 20,
            `${template.name}.yaml ${id} ignores ${rule} without a reason`,
          );
      }
    }
  });
});

interface CheckovResult {
  check_id: string;
  resource: string;
  file_path: string;
  check_result: { result: string; suppress_comment?: string };
}

describe("checkov", () => {
  test("no failed checks in cloudformation/, and every skip carries a written reason", () => {
    assert.ok(existsSync(checkov), `${checkov} is missing; run scripts/setup-tools.sh`);
    // --skip-download and no API key: the scan runs offline, with the bundled checks only.
    const result = spawnSync(
      checkov,
      [
        "--directory",
        templatesDir,
        "--framework",
        "cloudformation",
        "--skip-download",
        "--output",
        "json",
        "--compact",
      ],
      {
        encoding: "utf8",
        env: { ...process.env, BC_API_KEY: "", PRISMA_API_URL: "", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: "false" },
      },
    );
    const report = JSON.parse(result.stdout) as
      | { summary: { passed: number; failed: number }; results: Record<string, CheckovResult[]> }
      | { summary: { passed: number; failed: number }; results: Record<string, CheckovResult[]> }[];
    const single = Array.isArray(report) ? report[0] : report;
    assert.ok(single, `checkov produced no report: ${result.stderr.slice(-500)}`);
    const failed = (single.results.failed_checks ?? []).map(
      (c) => `${c.file_path} ${c.resource} ${c.check_id}`,
    );
    assert.deepEqual(failed, []);
    assert.ok(
      single.summary.passed > 50,
      `checkov passed only ${single.summary.passed} checks: did it scan the templates?`,
    );
    for (const skipped of single.results.skipped_checks ?? []) {
      assert.ok(
        (skipped.check_result.suppress_comment ?? "").length >= 30,
        `${skipped.file_path} ${skipped.resource} skips ${skipped.check_id} without a reason`,
      );
    }
  });
});
