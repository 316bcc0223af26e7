/**
 * The TypeScript types of Camunda's REST API, made from Camunda's own OpenAPI document (Maven
 * artifact org.camunda.bpm:camunda-engine-rest-openapi, which ships openapi.json) for the engine
 * version engine/pom.xml builds. Used by scripts/generate-openapi-types.ts to write
 * actions/src/camunda/openapi.d.ts and by the test that checks the committed file is still exactly that.
 * Fields that merely have a default in the spec stay optional (defaultNonNullable: false): the engine
 * fills them in, and callers should not have to repeat every default.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";

export const openapiTypesFile = "actions/src/camunda/openapi.d.ts";

/** The Camunda version engine/pom.xml builds (its camunda.version property). */
export function engineCamundaVersion(root: string): string {
  const pom = readFileSync(path.join(root, "engine", "pom.xml"), "utf8");
  const version = /<camunda\.version>([^<]+)<\/camunda\.version>/.exec(pom)?.[1];
  if (!version) throw new Error("engine/pom.xml has no <camunda.version> property");
  return version;
}

/** The version named in the generated file's header. */
export function generatedFromVersion(text: string): string | undefined {
  return /Generated from Camunda ([^']+)'s openapi\.json/.exec(text)?.[1];
}

/** openapi.json of that version, from the local Maven repository (fetched there with Maven when missing). */
function openapiJson(version: string): string {
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
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  }
  return execFileSync("unzip", ["-p", jar, "openapi.json"], { maxBuffer: 64 * 1024 * 1024 }).toString("utf8");
}

/** The whole content of openapi.d.ts for that version. */
export async function openapiTypes(version: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(openapiJson(version)), {
    alphabetize: true,
    defaultNonNullable: false,
  });
  const header = `/**\n * Generated from Camunda ${version}'s openapi.json by scripts/generate-openapi-types.ts. Do not edit.\n */\n\n`;
  return header + astToString(ast);
}
