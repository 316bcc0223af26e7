/**
 * Camunda Forms in a release: the `.form` files of processes/, the processes that bind a form to their
 * own deployment, and what the engine holds of them.
 *
 * A user task with `camunda:formRef` and `camunda:formRefBinding="deployment"` (or a
 * `camunda:formKey="camunda-forms:deployment:<file>"`) gets its form from the deployment of its
 * process version. So a process and the forms it binds this way must be deployed together: a form
 * changed alone would otherwise land in a deployment the process never looks into, and a process
 * changed alone in a deployment without its form. The plan marks both as changed when either is, and
 * the release sends them together (see selectResources in release.ts).
 *
 * Form definitions have no query in the REST API; what a process version was deployed with is read
 * from its deployment's resources (`GET /deployment/{id}/resources`).
 */
import type { CamundaClient } from "#core/camunda/index.js";
import { parseModel } from "#core/lint/parse.js";
import { errorMessage, UserError } from "#core/util/errors.js";
import type { ReleaseTarget } from "./plan.js";
import type { Resource } from "./source.js";

/** A form a process binds to its own deployment, and where. */
export interface BoundForm {
  /** The form file's resource name in the engine (path below processes/). */
  resource: string;
  /** The form's key (its `id`), or null when bound by file name (camunda-forms:deployment:…). */
  key: string | null;
  elementId: string;
}

export interface FormBindings {
  /** Form resource name → the form's key (the `id` of its JSON). */
  keys: Map<string, string>;
  /** BPMN resource name → the forms its deployment must hold. */
  bound: Map<string, BoundForm[]>;
}

const DEPLOYMENT_FORM_KEY = /^camunda-forms:deployment:(.+)$/;

/** The key of a Camunda Form file: the `id` of its JSON (the engine's form definition key). */
export function formKeyOf(resource: Pick<Resource, "file" | "text">): string {
  let json: unknown;
  try {
    json = JSON.parse(resource.text);
  } catch (error) {
    throw new UserError(
      `${resource.file} is not valid JSON (${errorMessage(error).split("\n")[0]}); open it in Camunda Modeler or fix the syntax.`,
    );
  }
  const id = json && typeof json === "object" ? (json as { id?: unknown }).id : undefined;
  if (typeof id !== "string" || id.trim() === "") {
    throw new UserError(
      `${resource.file} has no "id": the engine needs it as the form's key (camunda:formRef); add one.`,
    );
  }
  return id;
}

/** Which forms each BPMN file binds to its deployment, resolved against the release's .form files. */
export async function formBindings(resources: Resource[]): Promise<FormBindings> {
  const keys = new Map<string, string>();
  const byKey = new Map<string, Resource>();
  for (const resource of resources.filter((r) => r.kind === "form")) {
    const key = formKeyOf(resource);
    const other = byKey.get(key);
    if (other) {
      throw new UserError(
        `${other.file} and ${resource.file} both define the form "${key}"; the engine would version them as one form: give each its own id.`,
      );
    }
    byKey.set(key, resource);
    keys.set(resource.name, key);
  }
  const bound = new Map<string, BoundForm[]>();
  for (const resource of resources.filter((r) => r.kind === "bpmn")) {
    const forms: BoundForm[] = [];
    for (const reference of await deploymentBoundForms(resource)) {
      const form =
        reference.key !== null
          ? byKey.get(reference.key)
          : resources.find((r) => r.kind === "form" && r.name === reference.resource);
      if (!form) {
        const what =
          reference.key !== null ? `the form "${reference.key}"` : `the form file ${reference.resource}`;
        throw new UserError(
          `${resource.file}: ${reference.elementId} takes ${what} from its own deployment, but no .form file of this release defines it; add the form under processes/ or fix the reference.`,
        );
      }
      if (!forms.some((f) => f.resource === form.name))
        forms.push({ resource: form.name, key: reference.key, elementId: reference.elementId });
    }
    if (forms.length > 0) bound.set(resource.name, forms);
  }
  return { keys, bound };
}

interface FormReference {
  key: string | null;
  resource: string | null;
  elementId: string;
}

/** User tasks and start events whose form comes from their own deployment (static references only). */
async function deploymentBoundForms(resource: Resource): Promise<FormReference[]> {
  let root: unknown;
  try {
    ({ root } = await parseModel("bpmn", resource.text));
  } catch {
    return []; // the plan reports a file it cannot read
  }
  const found: FormReference[] = [];
  const visit = (element: Record<string, unknown>) => {
    const type = element.$type;
    if (type === "bpmn:UserTask" || type === "bpmn:StartEvent") {
      const elementId = typeof element.id === "string" ? element.id : "(no id)";
      const formRef = element.formRef;
      const binding = element.formRefBinding;
      if (typeof formRef === "string" && binding === "deployment" && !formRef.includes("{")) {
        found.push({ key: formRef, resource: null, elementId });
      }
      const match = typeof element.formKey === "string" ? DEPLOYMENT_FORM_KEY.exec(element.formKey) : null;
      if (match && !match[1]!.includes("{")) found.push({ key: null, resource: match[1]!, elementId });
    }
    for (const child of (element.flowElements ?? []) as Record<string, unknown>[]) visit(child);
  };
  for (const element of ((root as { rootElements?: unknown[] } | undefined)?.rootElements ?? []) as Record<
    string,
    unknown
  >[]) {
    if (element.$type === "bpmn:Process") visit(element);
  }
  return found;
}

/** Reads resources of deployments, once per deployment. */
export class DeploymentResources {
  private readonly lists = new Map<string, Promise<Array<{ id: string; name: string }>>>();

  constructor(private readonly client: CamundaClient) {}

  /** The text of resource `name` in deployment `deploymentId`, or null when it holds none. */
  async text(deploymentId: string, name: string): Promise<string | null> {
    let list = this.lists.get(deploymentId);
    if (!list) {
      list = this.client
        .ok(this.client.api.GET("/deployment/{id}/resources", { params: { path: { id: deploymentId } } }))
        .then((resources) => resources.map((r) => ({ id: r.id ?? "", name: r.name ?? "" })));
      this.lists.set(deploymentId, list);
    }
    const found = (await list).find((r) => r.name === name);
    if (!found) return null;
    const data = await this.client.ok(
      this.client.api.GET("/deployment/{id}/resources/{resourceId}/data", {
        params: { path: { id: deploymentId, resourceId: found.id } },
        parseAs: "text",
      }),
    );
    return String(data);
  }

  /**
   * The newest copy of resource `name` among this environment's releases (same deployment name,
   * source and tenant), looking at the `depth` latest deployments: for forms no process binds.
   */
  async latestReleased(target: ReleaseTarget, name: string, depth = 20): Promise<string | null> {
    const deployments = await this.client.ok(
      this.client.api.GET("/deployment", {
        params: {
          query: {
            name: target.deploymentName,
            source: target.deploymentSource,
            ...(target.tenantId ? { tenantIdIn: target.tenantId } : { withoutTenantId: true }),
            sortBy: "deploymentTime",
            sortOrder: "desc",
            maxResults: depth,
          },
        },
      }),
    );
    for (const deployment of deployments) {
      const text = deployment.id ? await this.text(deployment.id, name) : null;
      if (text !== null) return text;
    }
    return null;
  }
}

/** What changed between two versions of a form, in one line for the plan. */
export function describeFormChange(before: string, after: string): string {
  const keysOf = (text: string): string[] => {
    try {
      const keys: string[] = [];
      const walk = (components: unknown) => {
        for (const c of Array.isArray(components) ? components : []) {
          if (c && typeof c === "object") {
            const key = (c as { key?: unknown }).key;
            if (typeof key === "string") keys.push(key);
            walk((c as { components?: unknown }).components);
          }
        }
      };
      walk((JSON.parse(text) as { components?: unknown }).components);
      return keys;
    } catch {
      return [];
    }
  };
  const old = new Set(keysOf(before));
  const now = new Set(keysOf(after));
  const added = [...now].filter((k) => !old.has(k));
  const removed = [...old].filter((k) => !now.has(k));
  const parts = [
    ...(added.length > 0 ? [`fields added: ${added.join(", ")}`] : []),
    ...(removed.length > 0 ? [`fields removed: ${removed.join(", ")}`] : []),
  ];
  return parts.length > 0
    ? `form ${parts.join("; ")}`
    : "form changed (labels, layout or rules; same fields)";
}
