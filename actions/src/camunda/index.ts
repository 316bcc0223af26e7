export type { CamundaClient, CamundaClientOptions, DeploymentResource, DeployRequest } from "./client.js";
export { createCamundaClient } from "./client.js";
export type { CamundaCredentials } from "./credentials.js";
export { localCredentialsFile, resolveCamundaCredentials } from "./credentials.js";
export type { ResourceProblem, ResourceReport } from "./errors.js";
export { CamundaError, CamundaUnreachableError, parseResourceReports } from "./errors.js";
export type { GrantHint, MissingAuthorization } from "./forbidden.js";
export { describeForbidden, parseMissingAuthorizations } from "./forbidden.js";
export type { components, paths } from "./openapi.js";
