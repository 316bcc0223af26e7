export { createCamundaClient } from "./client.js";
export type { CamundaClient, CamundaClientOptions, DeployRequest, DeploymentResource } from "./client.js";
export { CamundaError, CamundaUnreachableError, parseResourceReports } from "./errors.js";
export type { ResourceProblem, ResourceReport } from "./errors.js";
export { localCredentialsFile, resolveCamundaCredentials } from "./credentials.js";
export type { CamundaCredentials } from "./credentials.js";
export type { components, paths } from "./openapi.js";
