/** The release's smoke step: each process that got a new version is started once (smoke.ts). */
import path from "node:path";
import type { CamundaClient } from "#core/camunda/index.js";
import type { Plan } from "./plan.js";
import type { ReleaseRow, StepRunner } from "./release.js";
import { type SmokeOutcome, smokeTest } from "./smoke.js";
import type { ReleaseSource, Resource } from "./source.js";

/** Step 5: start each process that got a new version once, with its example variables. */
export async function smokeTestNewProcesses(
  client: CamundaClient,
  source: ReleaseSource,
  plan: Plan,
  rows: ReleaseRow[],
  deployable: Resource[],
  step: StepRunner,
): Promise<SmokeOutcome[]> {
  const fresh = rows.filter((r) => r.type === "process" && r.status !== "unchanged" && r.definitionId);
  return step(`Smoke testing ${fresh.length} process(es)`, async (update) => {
    const outcomes: SmokeOutcome[] = [];
    for (const row of fresh) {
      update(row.key);
      const resource = deployable.find((r) => r.file === row.file)!;
      outcomes.push(
        await smokeTest(
          client,
          { key: row.key, definitionId: row.definitionId!, resource },
          {
            examplesDir: path.join(source.processesDir, "examples"),
            repoRelative: (file) => path.relative(source.root, file).split(path.sep).join("/"),
            commit: plan.commit,
            released: {
              keys: rows.filter((r) => r.type === "process").map((r) => r.key),
              resources: deployable,
            },
          },
        ),
      );
    }
    return outcomes;
  });
}
