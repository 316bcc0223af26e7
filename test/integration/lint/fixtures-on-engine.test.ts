/**
 * The rule fixtures on the real engine: each is deployed alone, and the engine must refuse it exactly
 * when the linter reports a `deploy` finding on it — failing fixtures of deploy rules are refused,
 * every passing fixture and every fixture of a runtime, policy or style rule deploys. Where the engine
 * gives a line, one of the linter's deploy findings is on that line.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { CamundaError } from "#core/camunda/index.js";
import { lint } from "#core/lint/index.js";
import { projectRules } from "#core/lint/plugin/index.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { repoPath } from "../../support/repo.js";
import { asFile, docsExample, fixtureRegistry, fixtures } from "../../unit/lint/support.js";

const rulesDir = path.join(fixtures, "rules");
const files = readdirSync(rulesDir)
  .sort()
  .flatMap((rule) =>
    readdirSync(path.join(rulesDir, rule))
      .sort()
      .map((file) => path.join(rule, file)),
  );

/** Errors the schema validator reports at the end of the document or of an element, not at a start tag. */
const reportedAtEnd = (message: string) => message.startsWith("cvc-id.1") || /is not complete/.test(message);

/** Deploys one file alone; null when the engine accepts it (the deployment is removed again). */
async function refusalOf(name: string, content: string | Uint8Array): Promise<CamundaError | null> {
  const { client } = testEngine();
  try {
    const deployment = await client.deploy({
      name: uniqueId("lint-fixture"),
      tenantId: uniqueId("lint"),
      resources: [{ name, content }],
    });
    await client.ok(
      client.api.DELETE("/deployment/{id}", {
        params: { path: { id: deployment.id as string }, query: { cascade: true } },
      }),
    );
    return null;
  } catch (error) {
    if (error instanceof CamundaError) return error;
    throw error;
  }
}

describe("rule pages' examples on the real engine: a deploy rule's failing example is refused, every fixed one deploys", () => {
  for (const rule of projectRules) {
    if (rule.name === "unused-topic") continue;
    test(rule.name, async () => {
      const page = readFileSync(repoPath("docs/lint/rules", `${rule.name}.md`), "utf8");
      const failing = asFile(rule.name, docsExample(page, "Failing"));
      const fixed = asFile(rule.name, docsExample(page, "Fixed"));
      if (rule.consequence === "deploy") {
        assert.ok(
          await refusalOf(failing.name, failing.text),
          `the failing example of ${rule.name} is refused`,
        );
      }
      const refusal = await refusalOf(fixed.name, fixed.text);
      assert.equal(refusal, null, `the fixed example of ${rule.name} deploys (${refusal?.message})`);
    });
  }
});

describe("rule fixtures on the real engine: refused exactly when the linter says deploy", () => {
  for (const file of files) {
    test(file, async () => {
      const report = await lint({
        root: repoPath(),
        paths: [path.join(rulesDir, file)],
        indexPaths: [path.join(fixtures, "index")],
        registry: fixtureRegistry,
        configFile: null,
      });
      const deploy = report.findings.filter((f) => f.consequence === "deploy");
      const refusal = await refusalOf(path.basename(file), readFileSync(path.join(rulesDir, file)));
      assert.equal(
        refusal !== null,
        deploy.length > 0,
        refusal
          ? `the engine refused ${file} (${refusal.message}) but the linter reports no deploy finding`
          : `the engine deployed ${file}, but the linter says it would refuse it: ${deploy.map((f) => `${f.line}: ${f.message}`).join("; ")}`,
      );
      for (const problem of refusal?.resources.flatMap((r) => r.errors) ?? []) {
        if (!problem.line || reportedAtEnd(problem.message)) continue;
        assert.ok(
          deploy.some((f) => f.line === problem.line),
          `the engine points at line ${problem.line} (${problem.message}); the linter's deploy findings are on ${deploy.map((f) => f.line).join(", ")}`,
        );
      }
    });
  }
});
