/**
 * Regenerates actions/src/camunda/openapi.d.ts for the Camunda version engine/pom.xml builds
 * (scripts/openapi-types.ts). The generated file is committed so that `npm ci` needs no Maven; run this
 * after a Camunda upgrade: npm run generate:openapi (a test fails until it is run).
 */
import { writeFileSync } from "node:fs";
import { repoPath, repoRoot } from "../test/support/repo.js";
import { engineCamundaVersion, openapiTypes, openapiTypesFile } from "./openapi-types.js";

const version = engineCamundaVersion(repoRoot);
writeFileSync(repoPath(openapiTypesFile), await openapiTypes(version));
console.log(`wrote ${openapiTypesFile} for Camunda ${version}`);
