/**
 * The `identities` section of an environment file: the groups, users (technical and, locally, demo
 * people), their authorizations in Camunda's resource types and permissions, and the Tasklist filters
 * shared with them. `release` makes the engine match it; see docs/identities.md. Passwords are never
 * here: a user names the environment variable its password comes from, or (local only) `generated`.
 */
import { z } from "zod";
import { allPermissions, resourceByName, resourceNames } from "./resources.js";

/** The engine's default user id whitelist: letters and digits. */
const userId = z
  .string()
  .regex(/^[a-zA-Z0-9]{1,64}$/, "must be 1-64 letters and digits (the engine's user id rule)");
/** engine/application.yaml's group id whitelist: letters and digits, single hyphens between them. */
export const groupIdPattern = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;
const groupId = z
  .string()
  .max(64)
  .regex(
    groupIdPattern,
    "must be letters and digits with single hyphens between them, e.g. senior-underwriters",
  )
  .refine((id) => id !== "camunda-admin", {
    message: "camunda-admin is the engine's break-glass administrators group and is not managed here",
  });
const envVarName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, "must be an environment variable name such as CAMUNDA_WORKERS_PASSWORD");

export const grantSchema = z
  .object({
    /** A resource type: Application, ProcessDefinition, Deployment, Task, … (docs/identities.md). */
    resource: z.enum(resourceNames, {
      message: `must be one of Camunda's resource types: ${resourceNames.join(", ")}`,
    }),
    /** Resource ids (a process definition key, an application name, …); "*" is every resource of the type. */
    ids: z.array(z.string().min(1).max(255)).min(1).default(["*"]),
    permissions: z.array(z.string().regex(/^[A-Z_]+$/, "must be a permission name in capitals")).min(1),
    /** Why the holder needs it: shown in the plan, read in review. */
    reason: z.string().min(3).optional(),
  })
  .strict()
  .superRefine((grant, ctx) => {
    const resource = resourceByName(grant.resource);
    if (!resource) return;
    for (const [index, permission] of grant.permissions.entries()) {
      if (permission !== allPermissions && !resource.permissions.includes(permission)) {
        ctx.addIssue({
          code: "custom",
          path: ["permissions", index],
          message: `${permission} is not a permission of ${resource.name}; it has ${resource.permissions.join(", ")} (or ALL)`,
        });
      }
    }
    if (new Set(grant.permissions).size !== grant.permissions.length) {
      ctx.addIssue({ code: "custom", path: ["permissions"], message: "lists a permission twice" });
    }
    for (const [index, id] of grant.ids.entries()) {
      if (resource.runtimeObjects && id !== "*") {
        ctx.addIssue({
          code: "custom",
          path: ["ids", index],
          message: `must be "*": single ${resource.name} ids are created at runtime, and the engine grants those itself`,
        });
      } else if (resource.knownIds && !resource.knownIds.includes(id)) {
        ctx.addIssue({
          code: "custom",
          path: ["ids", index],
          message: `must be one of ${resource.knownIds.join(", ")}`,
        });
      } else if (resource.name === "Filter" && id !== "*") {
        ctx.addIssue({
          code: "custom",
          path: ["ids", index],
          message: `filter ids are generated; share a filter with sharedWith in identities.filters instead`,
        });
      }
    }
  });

const password = z.union(
  [
    z.object({ env: envVarName }).strict(),
    z.literal("generated", { message: 'must be "generated" or { env: VARIABLE }' }),
  ],
  { message: 'must be { env: VARIABLE } (the variable holding the password) or "generated" (local only)' },
);

export const userSchema = z
  .object({
    firstName: z.string().min(1).max(255),
    lastName: z.string().min(1).max(255),
    email: z.email().optional(),
    /** Where the password comes from; it is never written in this file. */
    password,
    /** Groups declared in identities.groups. Memberships of a declared user are exactly these. */
    groups: z.array(groupId).default([]),
    grants: z.array(grantSchema).default([]),
  })
  .strict();

export const groupSchema = z
  .object({
    name: z.string().min(1).max(255),
    /** Shown in Admin; the engine gives it no meaning. */
    type: z.string().min(1).max(255).default("WORKFLOW"),
    grants: z.array(grantSchema).default([]),
  })
  .strict();

/**
 * Expressions a stored Tasklist filter may use: the engine's documented query functions, in the
 * shapes below. Anything else (a method call on a bean, a static call) is code run as the engine.
 */
const safeFilterExpression =
  /^\$\{(currentUser\(\)|currentUserGroups\(\)|now\(\)|dateTime\(\)(\.(plus|minus)(Minutes|Hours|Days|Weeks|Months|Years)\(\d{1,4}\))*\.toDate\(\))\}$/;

const filterText = z.string().min(1).max(4000);
const filterExpression = z.string().regex(
  safeFilterExpression,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: JUEL expressions, not a JavaScript template
  "must be one of ${currentUser()}, ${currentUserGroups()}, ${now()} or ${dateTime().minusDays(N).toDate()} (plus/minus Minutes, Hours, Days, Weeks, Months, Years)",
);
const variableCondition = z
  .object({
    name: z.string().min(1),
    operator: z.enum(["eq", "neq", "gt", "gteq", "lt", "lteq", "like"]),
    value: z.union([z.string(), z.number(), z.boolean()]),
  })
  .strict();

/** The task query of a filter: the criteria Tasklist filters use, each checked for its type. */
export const filterQuerySchema = z
  .object({
    processDefinitionKey: filterText,
    processDefinitionKeyIn: z.array(filterText),
    taskDefinitionKey: filterText,
    taskDefinitionKeyIn: z.array(filterText),
    name: filterText,
    nameLike: filterText,
    candidateGroup: filterText,
    candidateGroups: z.array(filterText),
    candidateGroupExpression: filterExpression,
    candidateGroupsExpression: filterExpression,
    candidateUser: filterText,
    candidateUserExpression: filterExpression,
    assignee: filterText,
    assigneeExpression: filterExpression,
    includeAssignedTasks: z.boolean(),
    withCandidateGroups: z.boolean(),
    withoutCandidateGroups: z.boolean(),
    assigned: z.boolean(),
    unassigned: z.boolean(),
    createdBeforeExpression: filterExpression,
    createdAfterExpression: filterExpression,
    dueBeforeExpression: filterExpression,
    dueAfterExpression: filterExpression,
    followUpBeforeExpression: filterExpression,
    minPriority: z.number().int(),
    maxPriority: z.number().int(),
    tenantIdIn: z.array(filterText),
    withoutTenantId: z.boolean(),
    active: z.boolean(),
    suspended: z.boolean(),
    processVariables: z.array(variableCondition),
    taskVariables: z.array(variableCondition),
    sorting: z
      .array(
        z
          .object({
            sortBy: z.enum(["created", "dueDate", "followUpDate", "priority", "name", "assignee", "id"]),
            sortOrder: z.enum(["asc", "desc"]),
          })
          .strict(),
      )
      .max(5),
  })
  .partial()
  .strict()
  .superRefine((query, ctx) => {
    const candidate = [
      "candidateGroup",
      "candidateGroups",
      "candidateGroupExpression",
      "candidateGroupsExpression",
      "candidateUser",
      "candidateUserExpression",
      "withCandidateGroups",
      "withoutCandidateGroups",
    ] as const;
    if (query.includeAssignedTasks !== undefined && !candidate.some((key) => query[key] !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["includeAssignedTasks"],
        message:
          "applies only with a candidate criterion (candidateGroup, candidateGroupsExpression, …); without one, assigned tasks are included anyway — remove it",
      });
    }
  });

export const filterSchema = z
  .object({
    /** Unique per environment: filters are matched by name. */
    name: z.string().min(1).max(255),
    description: z.string().max(4000).optional(),
    /** Lower first in Tasklist's list of filters. */
    priority: z.number().int().default(0),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "must be a colour such as #3c8dbc")
      .optional(),
    /** Re-run the filter every few seconds in Tasklist. */
    refresh: z.boolean().default(true),
    query: filterQuerySchema,
    /** Columns Tasklist shows in the task list: process variables by name. */
    variables: z.array(z.object({ name: z.string().min(1), label: z.string().min(1) }).strict()).default([]),
    /** Who sees the filter (READ on it); declared groups and users. */
    sharedWith: z
      .object({ groups: z.array(groupId).default([]), users: z.array(userId).default([]) })
      .strict()
      .default({ groups: [], users: [] }),
  })
  .strict();

export const identitiesSchema = z
  .object({
    groups: z.record(groupId, groupSchema).default({}),
    users: z.record(userId, userSchema).default({}),
    filters: z.array(filterSchema).default([]),
    /**
     * Users and groups to delete at the next release, with their memberships and grants. A principal
     * that is only dropped from the file is no longer managed; listing it here removes it.
     */
    removed: z
      .object({ users: z.array(userId).default([]), groups: z.array(groupId).default([]) })
      .strict()
      .default({ users: [], groups: [] }),
    /**
     * When true, a release that would revoke anything (a grant, a permission, a membership, a filter,
     * a removed user or group) stops unless it is given --allow-revocations (prod).
     */
    confirmRevocations: z.boolean().default(false),
  })
  .strict()
  .superRefine((identities, ctx) => {
    const groups = new Set(Object.keys(identities.groups));
    const users = new Set(Object.keys(identities.users));
    for (const [id, user] of Object.entries(identities.users)) {
      user.groups.forEach((group, index) => {
        if (!groups.has(group)) {
          ctx.addIssue({
            code: "custom",
            path: ["users", id, "groups", index],
            message: `group "${group}" is not declared under identities.groups`,
          });
        }
      });
    }
    const names = new Set<string>();
    identities.filters.forEach((filter, index) => {
      if (names.has(filter.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["filters", index, "name"],
          message: `"${filter.name}" is declared twice; filter names are unique`,
        });
      }
      names.add(filter.name);
      filter.sharedWith.groups.forEach((group, i) => {
        if (!groups.has(group)) {
          ctx.addIssue({
            code: "custom",
            path: ["filters", index, "sharedWith", "groups", i],
            message: `group "${group}" is not declared under identities.groups`,
          });
        }
      });
      filter.sharedWith.users.forEach((user, i) => {
        if (!users.has(user)) {
          ctx.addIssue({
            code: "custom",
            path: ["filters", index, "sharedWith", "users", i],
            message: `user "${user}" is not declared under identities.users`,
          });
        }
      });
    });
    identities.removed.users.forEach((user, index) => {
      if (users.has(user)) {
        ctx.addIssue({
          code: "custom",
          path: ["removed", "users", index],
          message: `user "${user}" is both declared and removed; keep one`,
        });
      }
    });
    identities.removed.groups.forEach((group, index) => {
      if (groups.has(group)) {
        ctx.addIssue({
          code: "custom",
          path: ["removed", "groups", index],
          message: `group "${group}" is both declared and removed; keep one`,
        });
      }
    });
  });

export type IdentitiesConfig = z.infer<typeof identitiesSchema>;
export type GrantConfig = z.infer<typeof grantSchema>;
export type UserConfig = z.infer<typeof userSchema>;
export type GroupConfig = z.infer<typeof groupSchema>;
export type FilterConfig = z.infer<typeof filterSchema>;
export type FilterQuery = z.infer<typeof filterQuerySchema>;
