/**
 * An identity plan as people review it: one line per change, marked + (give), ~ (change), − (take
 * away; a revocation, which prod asks to confirm), with the reason the file gives for a grant; and
 * the counts of what is already as declared. The same lines serve the console, the job summary and
 * JSON (`lines`).
 */
import { type IdentityChange, type IdentityPlan, isRevocation } from "./changes.js";
import { resourceByType } from "./resources.js";

function resource(change: { resourceType: number; resourceId: string }): string {
  const type = resourceByType(change.resourceType)?.name ?? `resource type ${change.resourceType}`;
  const id = change.resourceId.startsWith("filter:") ? `"${change.resourceId.slice(7)}"` : change.resourceId;
  return `${type} ${id}`;
}

function permissionDelta(before: string[], after: string[]): string {
  const added = after.filter((p) => !before.includes(p));
  const removed = before.filter((p) => !after.includes(p));
  return [...added.map((p) => `+${p}`), ...removed.map((p) => `-${p}`)].join(" ");
}

function passwordText(source: "generated" | { env: string }): string {
  return source === "generated" ? "generated password" : `password from ${source.env}`;
}

export function describeChange(change: IdentityChange): string {
  switch (change.kind) {
    case "create-group":
      return `create group ${change.id} "${change.name}"`;
    case "update-group":
      return `update group ${change.id}: "${change.before.name}" (${change.before.type}) → "${change.name}" (${change.type})`;
    case "delete-group":
      return `delete group ${change.id} (listed under identities.removed)`;
    case "create-user":
      return `create user ${change.id} (${change.profile.firstName} ${change.profile.lastName}, ${passwordText(change.password)})`;
    case "update-user":
      return `update user ${change.id}: ${change.before.firstName} ${change.before.lastName} <${change.before.email ?? "no e-mail"}> → ${change.profile.firstName} ${change.profile.lastName} <${change.profile.email ?? "no e-mail"}>`;
    case "set-password":
      return `set the password of user ${change.id} (the engine does not accept the ${passwordText(change.password)})`;
    case "delete-user":
      return `delete user ${change.id} (listed under identities.removed)`;
    case "add-member":
      return `add user ${change.userId} to group ${change.groupId}`;
    case "remove-member":
      return `remove user ${change.userId} from group ${change.groupId}`;
    case "create-filter":
      return `create filter "${change.name}"`;
    case "update-filter":
      return `update filter "${change.name}"${change.adopted ? " (made by hand: adopted)" : ""}`;
    case "delete-filter":
      return `delete filter "${change.name}" (no longer declared)`;
    case "grant":
      return `grant ${change.principal.kind} ${change.principal.id} ${change.permissions.join(", ")} on ${resource(change)}${change.reasons.length ? ` — ${change.reasons.join("; ")}` : ""}`;
    case "update-grant":
      return `change ${change.principal.kind} ${change.principal.id} on ${resource(change)}: ${permissionDelta(change.before, change.permissions)}${change.authorizationId === null ? " (the engine gives a new user ALL on itself)" : ""}`;
    case "revoke":
      return `revoke ${change.principal.kind} ${change.principal.id} ${change.before.join(", ")} on ${resource(change)}`;
  }
}

function mark(change: IdentityChange): string {
  if (isRevocation(change)) return "-";
  return change.kind.startsWith("create") || change.kind === "grant" || change.kind === "add-member"
    ? "+"
    : "~";
}

export function identityPlanLines(plan: IdentityPlan): string[] {
  const lines = plan.changes.map((change) => `${mark(change)} ${describeChange(change)}`);
  const u = plan.unchanged;
  lines.push(
    `= unchanged: ${u.groups} group(s), ${u.users} user(s), ${u.memberships} membership(s), ${u.grants} grant(s), ${u.filters} filter(s)`,
  );
  for (const skipped of plan.passwordsNotChecked)
    lines.push(`? password of ${skipped.id} not compared: ${skipped.reason}`);
  return lines;
}

export function identityHeadline(plan: IdentityPlan): string {
  const revoking = plan.changes.filter(isRevocation).length;
  const giving = plan.changes.length - revoking;
  if (plan.changes.length === 0) return `Identities of ${plan.environment}: as declared, nothing to change.`;
  return `Identities of ${plan.environment}: ${giving} change(s) that give, ${revoking} revocation(s)${revoking > 0 && plan.confirmRevocations ? " (to be confirmed with --allow-revocations)" : ""}.`;
}
