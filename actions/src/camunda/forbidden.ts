/**
 * A 403 from the engine as one sentence a person can act on: which user, which call, which permission
 * on which resource is missing, and where to grant it. The engine's AuthorizationException carries
 * `missingAuthorizations` (each alternative that would have allowed the call); the sentence names the
 * one to grant — preferring a grant on a definition or "*" over one on a single task or instance id,
 * which only the engine hands out — and shows it in the environment file's grant syntax.
 */

/** One permission on one resource that would have allowed the call (the engine lists alternatives). */
export interface MissingAuthorization {
  permission: string;
  /** Resource type as the engine names it, e.g. "ProcessDefinition", "Deployment". */
  resource: string;
  /** null: the permission on the resource type in general ("*" in a grant). */
  resourceId: string | null;
}

/** Where grants are declared; connect() fills it from the environment being used. */
export interface GrantHint {
  /** e.g. "environments/dev.yaml" */
  environmentFile?: string;
}

/** The resource types whose single ids the engine creates at runtime: grants name them with "*". */
const runtimeObjectResources = new Set([
  "Task",
  "ProcessInstance",
  "HistoricTask",
  "HistoricProcessInstance",
  "Deployment",
  "Batch",
  "Tenant",
]);

/** The engine's resource names, spelled as environment files spell them. */
const resourceSpelling: Record<string, string> = {
  "Group membership": "GroupMembership",
  OperationLogCatgeory: "OperationLogCategory",
};

export function grantResourceName(engineName: string): string {
  return resourceSpelling[engineName] ?? engineName;
}

type RawMissing = { permissionName?: unknown; resourceName?: unknown; resourceId?: unknown };

/** `missingAuthorizations` of an AuthorizationException body; [] for anything else. */
export function parseMissingAuthorizations(body: unknown): MissingAuthorization[] {
  if (!body || typeof body !== "object") return [];
  const json = body as {
    missingAuthorizations?: unknown;
    permissionName?: unknown;
    resourceName?: unknown;
    resourceId?: unknown;
  };
  const list: RawMissing[] = Array.isArray(json.missingAuthorizations)
    ? (json.missingAuthorizations as RawMissing[])
    : typeof json.permissionName === "string"
      ? [json]
      : [];
  return list
    .filter((m) => typeof m.permissionName === "string" && typeof m.resourceName === "string")
    .map((m) => ({
      permission: m.permissionName as string,
      resource: grantResourceName(m.resourceName as string),
      resourceId: typeof m.resourceId === "string" && m.resourceId !== "" ? m.resourceId : null,
    }));
}

/** The alternative worth granting: on a definition or "*" rather than on one runtime object. */
export function grantableAlternative(missing: MissingAuthorization[]): MissingAuthorization | undefined {
  const durable = missing.find(
    (m) => !(runtimeObjectResources.has(m.resource) && m.resourceId !== null && m.resourceId !== "*"),
  );
  if (durable) return durable;
  const first = missing[0];
  return first ? { ...first, resourceId: null } : undefined;
}

function describeOne(m: MissingAuthorization): string {
  return `${m.permission} on ${m.resource}${m.resourceId && m.resourceId !== "*" ? ` "${m.resourceId}"` : ""}`;
}

export function describeForbidden(options: {
  username: string | undefined;
  method: string;
  where: string;
  missing: MissingAuthorization[];
  engineMessage: string | undefined;
  hint?: GrantHint | undefined;
}): string {
  const user = options.username ? `user "${options.username}"` : "the anonymous caller";
  const call = `${options.method} ${options.where}`.trim();
  const file = options.hint?.environmentFile;
  const place = file
    ? `in ${file} under identities (that user's or one of its groups' grants) and release it`
    : "under identities in the environment file and release it";
  const grant = grantableAlternative(options.missing);
  if (!grant) {
    return `${user} is not authorized for ${call} (403${options.engineMessage ? `: ${options.engineMessage}` : ""}); grant the permission ${place}, or use another user.`;
  }
  const lacks =
    options.missing.length > 1
      ? `it needs one of ${options.missing.map(describeOne).join(", ")}`
      : `it lacks ${describeOne(options.missing[0]!)}`;
  const ids = grant.resourceId && grant.resourceId !== "*" ? grant.resourceId : "*";
  return `${user} may not ${call} (403): ${lacks}; to allow it, grant { resource: ${grant.resource}, ids: [${JSON.stringify(ids)}], permissions: [${grant.permission}] } ${place}.`;
}
