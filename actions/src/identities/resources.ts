/**
 * Camunda 7.23's authorization model as environment files write it: each resource type with its
 * numeric type (what the REST API takes), the name the engine uses in messages, and the permissions
 * that mean something on it. The numbers and permission names are the engine's own
 * (org.camunda.bpm.engine.authorization.Resources and the *Permissions enums, as resolved by
 * ResourceTypeUtil in 7.23.0); for the resource types that share the generic Permissions enum, the
 * engine accepts every generic permission, and the list below keeps only those Camunda's
 * authorization documentation gives a meaning (ACCESS on a Deployment would be accepted and do
 * nothing). test/integration/identities/resources.test.ts creates every listed permission on the real
 * engine, so a name the engine does not know fails there.
 */

export interface ResourceType {
  /** The REST API's resourceType number. */
  type: number;
  /** Spelling in environment files and in this tool's messages. */
  name: string;
  /** The engine's resourceName (messages, /authorization/check). */
  engineName: string;
  permissions: readonly string[];
  /**
   * The engine creates authorizations on single objects of this type itself (a task's candidates, the
   * user who deployed, a tenant's members): environment files grant it on "*" only, and single-id
   * authorizations stay the engine's.
   */
  runtimeObjects: boolean;
  /** Ids a grant may name, when the set is closed (the web applications). */
  knownIds?: readonly string[];
}

const crud = ["READ", "UPDATE", "CREATE", "DELETE"] as const;

export const resourceTypes: readonly ResourceType[] = [
  {
    type: 0,
    name: "Application",
    engineName: "Application",
    permissions: ["ACCESS"],
    runtimeObjects: false,
    knownIds: ["cockpit", "tasklist", "admin", "welcome", "*"],
  },
  { type: 1, name: "User", engineName: "User", permissions: crud, runtimeObjects: false },
  { type: 2, name: "Group", engineName: "Group", permissions: crud, runtimeObjects: false },
  {
    type: 3,
    name: "GroupMembership",
    engineName: "Group membership",
    permissions: ["CREATE", "DELETE"],
    runtimeObjects: false,
  },
  { type: 4, name: "Authorization", engineName: "Authorization", permissions: crud, runtimeObjects: false },
  { type: 5, name: "Filter", engineName: "Filter", permissions: crud, runtimeObjects: false },
  {
    type: 6,
    name: "ProcessDefinition",
    engineName: "ProcessDefinition",
    permissions: [
      "READ",
      "UPDATE",
      "DELETE",
      "SUSPEND",
      "CREATE_INSTANCE",
      "READ_INSTANCE",
      "UPDATE_INSTANCE",
      "RETRY_JOB",
      "SUSPEND_INSTANCE",
      "DELETE_INSTANCE",
      "MIGRATE_INSTANCE",
      "READ_TASK",
      "UPDATE_TASK",
      "TASK_ASSIGN",
      "TASK_WORK",
      "READ_TASK_VARIABLE",
      "READ_HISTORY",
      "READ_HISTORY_VARIABLE",
      "DELETE_HISTORY",
      "READ_INSTANCE_VARIABLE",
      "UPDATE_INSTANCE_VARIABLE",
      "UPDATE_TASK_VARIABLE",
      "UPDATE_HISTORY",
    ],
    runtimeObjects: false,
  },
  {
    type: 7,
    name: "Task",
    engineName: "Task",
    permissions: [
      "READ",
      "UPDATE",
      "CREATE",
      "DELETE",
      "READ_HISTORY",
      "TASK_WORK",
      "TASK_ASSIGN",
      "UPDATE_VARIABLE",
      "READ_VARIABLE",
    ],
    runtimeObjects: true,
  },
  {
    type: 8,
    name: "ProcessInstance",
    engineName: "ProcessInstance",
    permissions: ["READ", "UPDATE", "CREATE", "DELETE", "RETRY_JOB", "SUSPEND", "UPDATE_VARIABLE"],
    runtimeObjects: true,
  },
  {
    type: 9,
    name: "Deployment",
    engineName: "Deployment",
    permissions: ["READ", "CREATE", "DELETE"],
    runtimeObjects: true,
  },
  {
    type: 10,
    name: "DecisionDefinition",
    engineName: "DecisionDefinition",
    permissions: ["READ", "UPDATE", "CREATE_INSTANCE", "READ_HISTORY", "DELETE_HISTORY"],
    runtimeObjects: false,
  },
  // The engine grants READ on a tenant to each user that joins it; tenants are not managed here.
  { type: 11, name: "Tenant", engineName: "Tenant", permissions: crud, runtimeObjects: true },
  {
    type: 12,
    name: "TenantMembership",
    engineName: "TenantMembership",
    permissions: ["CREATE", "DELETE"],
    runtimeObjects: false,
  },
  {
    type: 13,
    name: "Batch",
    engineName: "Batch",
    permissions: [
      ...crud,
      "READ_HISTORY",
      "DELETE_HISTORY",
      "CREATE_BATCH_MIGRATE_PROCESS_INSTANCES",
      "CREATE_BATCH_MODIFY_PROCESS_INSTANCES",
      "CREATE_BATCH_RESTART_PROCESS_INSTANCES",
      "CREATE_BATCH_DELETE_RUNNING_PROCESS_INSTANCES",
      "CREATE_BATCH_DELETE_FINISHED_PROCESS_INSTANCES",
      "CREATE_BATCH_DELETE_DECISION_INSTANCES",
      "CREATE_BATCH_SET_JOB_RETRIES",
      "CREATE_BATCH_SET_EXTERNAL_TASK_RETRIES",
      "CREATE_BATCH_UPDATE_PROCESS_INSTANCES_SUSPEND",
      "CREATE_BATCH_SET_REMOVAL_TIME",
      "CREATE_BATCH_SET_VARIABLES",
      "CREATE_BATCH_CORRELATE_MESSAGE",
    ],
    runtimeObjects: true,
  },
  {
    type: 14,
    name: "DecisionRequirementsDefinition",
    engineName: "DecisionRequirementsDefinition",
    permissions: ["READ"],
    runtimeObjects: false,
  },
  { type: 15, name: "Report", engineName: "Report", permissions: crud, runtimeObjects: false },
  { type: 16, name: "Dashboard", engineName: "Dashboard", permissions: crud, runtimeObjects: false },
  {
    type: 17,
    name: "OperationLogCategory",
    engineName: "OperationLogCatgeory",
    permissions: ["READ", "UPDATE", "DELETE"],
    runtimeObjects: false,
  },
  {
    type: 19,
    name: "HistoricTask",
    engineName: "HistoricTask",
    permissions: ["READ", "READ_VARIABLE"],
    runtimeObjects: true,
  },
  {
    type: 20,
    name: "HistoricProcessInstance",
    engineName: "HistoricProcessInstance",
    permissions: ["READ"],
    runtimeObjects: true,
  },
  {
    type: 21,
    name: "System",
    engineName: "System",
    permissions: ["READ", "SET", "DELETE"],
    runtimeObjects: false,
  },
];

export const resourceNames = resourceTypes.map((r) => r.name) as [string, ...string[]];

const byName = new Map(resourceTypes.map((r) => [r.name, r]));
const byType = new Map(resourceTypes.map((r) => [r.type, r]));

export function resourceByName(name: string): ResourceType | undefined {
  return byName.get(name);
}

export function resourceByType(type: number): ResourceType | undefined {
  return byType.get(type);
}

/** ALL stands for every permission; the engine stores it as the single name "ALL". */
export const allPermissions = "ALL";

/** The grant a user or group holds on itself when the file says nothing more (see desired.ts). */
export const selfGrantPermissions: readonly string[] = ["READ"];
