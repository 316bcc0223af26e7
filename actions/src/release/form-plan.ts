/**
 * The plan's part for Camunda Forms (see forms.ts for why a process and the forms bound to its
 * deployment travel together): the status of every .form file, and processes marked as changed when
 * the deployment of their latest version does not hold the form the repository has.
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { DeploymentResources, describeFormChange, type FormBindings } from "./forms.js";
import type { PlannedResource, ReleaseTarget, ResourceStatus } from "./plan.js";
import type { ReleaseRow, RowStatus } from "./release.js";
import type { ReleaseSource } from "./source.js";

/**
 * Plans the form files of `source`, and updates `processes` (the planned BPMN/DMN files) in place:
 * an unchanged process whose latest deployment lacks its form, or holds another version of it,
 * becomes changed, so that the release deploys it again together with the form.
 */
export async function planForms(
  client: CamundaClient,
  source: ReleaseSource,
  target: ReleaseTarget,
  bindings: FormBindings,
  processes: PlannedResource[],
): Promise<PlannedResource[]> {
  const deployed = new DeploymentResources(client);
  const planned: PlannedResource[] = [];
  for (const form of source.resources.filter((r) => r.kind === "form")) {
    const users = processes.filter((p) => p.forms?.includes(form.name));
    // The copies the latest versions of the binding processes were deployed with.
    const copies: string[] = [];
    for (const user of users) {
      for (const deploymentId of deploymentsOf(user)) {
        const text = await deployed.text(deploymentId, form.name);
        if (text !== null) copies.push(text);
        if (text !== form.text && user.status === "unchanged") {
          user.status = "changed";
          user.summary =
            text === null
              ? `its deployment lacks the form ${form.name}`
              : `deployed with another version of the form ${form.name}`;
        }
      }
    }
    if (users.length === 0) {
      const latest = await deployed.latestReleased(target, form.name);
      if (latest !== null) copies.push(latest);
    }
    let status: ResourceStatus;
    let summary: string | null = null;
    if (copies.length === 0) status = "new";
    else if (copies.every((copy) => copy === form.text)) status = "unchanged";
    else {
      status = "changed";
      summary = describeFormChange(copies.find((copy) => copy !== form.text)!, form.text);
    }
    planned.push({
      name: form.name,
      file: form.file,
      kind: "form",
      sha256: form.sha256,
      status,
      summary: users.length > 0 ? withUsers(summary, users) : summary,
      outsideRelease: null,
      definitions: [],
      formKey: bindings.keys.get(form.name)!,
    });
  }
  return planned;
}

function deploymentsOf(resource: PlannedResource): string[] {
  return [
    ...new Set(resource.definitions.map((d) => d.previous?.deploymentId).filter((id) => !!id)),
  ] as string[];
}

function withUsers(summary: string | null, users: PlannedResource[]): string {
  const used = `bound to ${users.map((u) => u.file).join(", ")}`;
  return summary ? `${summary}; ${used}` : used;
}

/** The row of a Camunda Form file (the engine versions forms, but the REST API shows no version). */
export function formRow(resource: PlannedResource, status: RowStatus): ReleaseRow {
  return {
    type: "form",
    key: resource.formKey ?? resource.name,
    file: resource.file,
    previousVersion: null,
    newVersion: null,
    definitionId: null,
    status,
    change: resource.status,
    summary: resource.summary,
  };
}
