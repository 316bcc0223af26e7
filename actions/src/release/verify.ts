/**
 * Step 4 of a release: after the deployment, every definition the repository holds must be the
 * engine's latest version, deployed from the same resource, with the file's exact XML. Anything else
 * means another deployment happened in between, and the release says so instead of reporting success.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { UserError } from "#core/util/errors.js";
import { deployedXml, latestDefinition } from "./definitions.js";
import { formRow } from "./form-plan.js";
import { DeploymentResources } from "./forms.js";
import type { Plan, ReleaseTarget } from "./plan.js";
import type { ReleaseRow } from "./release.js";
import type { Resource } from "./source.js";

/**
 * Every definition the repository holds must now be the engine's latest version, deployed from the
 * same resource name, with XML equal to the repository's file; and the deployment of every process
 * that binds forms to it must hold those forms as the repository has them.
 * `redeployed`: unchanged files the deployment sent again (forms that travel with their process).
 */
export async function verify(
  client: CamundaClient,
  plan: Plan,
  resources: Map<string, Resource>,
  target: ReleaseTarget,
  redeployed: ReadonlySet<string> = new Set(),
): Promise<ReleaseRow[]> {
  const rows: ReleaseRow[] = [];
  const problems: string[] = [];
  const deployments = new DeploymentResources(client);
  for (const planned of plan.resources) {
    const resource = resources.get(planned.name)!;
    if (planned.kind === "form") {
      const status =
        planned.status === "new"
          ? "new"
          : planned.status === "changed" || redeployed.has(planned.name)
            ? "updated"
            : "unchanged";
      rows.push(formRow(planned, status));
      continue;
    }
    for (const definition of planned.definitions) {
      const latest = await latestDefinition(client, definition, target.tenantId ?? undefined);
      const previous = definition.previous;
      if (!latest) {
        problems.push(`${planned.file}: ${definition.type} ${definition.key} is not deployed`);
        continue;
      }
      if (latest.resource !== planned.name) {
        problems.push(
          `${planned.file}: the latest ${definition.key} (version ${latest.version}) comes from resource ${latest.resource}`,
        );
      } else if ((await deployedXml(client, latest)) !== resource.text) {
        problems.push(
          `${planned.file}: the latest ${definition.key} (version ${latest.version}, deployment ${latest.deploymentId}) differs from the file; another deployment happened during the release`,
        );
      }
      for (const form of planned.forms ?? []) {
        const held = await deployments.text(latest.deploymentId, form);
        if (held !== resources.get(form)?.text) {
          problems.push(
            `${planned.file}: the deployment of the latest ${definition.key} (version ${latest.version}, deployment ${latest.deploymentId}) ${held === null ? "lacks" : "holds another version of"} the form ${form}, so its user tasks would show ${held === null ? "no form" : "an old form"}`,
          );
        }
      }
      rows.push({
        type: definition.type,
        key: definition.key,
        file: planned.file,
        previousVersion: previous?.version ?? null,
        newVersion: latest.version,
        definitionId: latest.id,
        status: !previous ? "new" : previous.id === latest.id ? "unchanged" : "updated",
        change: planned.status,
        summary: planned.summary,
      });
    }
  }
  if (problems.length > 0) {
    throw new UserError(
      `verification failed on ${target.environment}: ${problems.length} definition(s) are not what the repository holds; see below, then release again.`,
      { exitCode: 1, details: problems },
    );
  }
  return rows;
}
