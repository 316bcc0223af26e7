/**
 * Regenerates actions/src/camunda/openapi.d.ts from Camunda's own OpenAPI document for 7.23
 * (Maven artifact org.camunda.bpm:camunda-engine-rest-openapi, which ships openapi.json).
 * Fields that merely have a default in the spec stay optional (defaultNonNullable: false): the engine
 * fills them in, and callers should not have to repeat every default.
 * The generated file is committed so that `npm ci` needs no Maven; run this after a Camunda upgrade:
 *   npm run generate:openapi
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { repoPath } from "../test/support/repo.js";

const version = "7.23.0";
const jar = path.join(
  os.homedir(),
  `.m2/repository/org/camunda/bpm/camunda-engine-rest-openapi/${version}/camunda-engine-rest-openapi-${version}.jar`,
);

if (!existsSync(jar)) {
  execFileSync(
    "mvn",
    [
      "-B",
      "-q",
      "dependency:get",
      "-Dtransitive=false",
      `-Dartifact=org.camunda.bpm:camunda-engine-rest-openapi:${version}`,
    ],
    { stdio: "inherit" },
  );
}
const json = execFileSync("unzip", ["-p", jar, "openapi.json"], { maxBuffer: 64 * 1024 * 1024 }).toString(
  "utf8",
);
const ast = await openapiTS(JSON.parse(json), { alphabetize: true, defaultNonNullable: false });
const header = `/**\n * Generated from Camunda ${version}'s openapi.json by scripts/generate-openapi-types.ts. Do not edit.\n */\n\n`;
const out = repoPath("actions/src/camunda/openapi.d.ts");
writeFileSync(out, header + astToString(ast));
console.log(`wrote ${out}`);
