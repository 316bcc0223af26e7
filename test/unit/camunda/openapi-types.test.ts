/**
 * actions/src/camunda/openapi.d.ts is generated: it must name the Camunda version the engine is built
 * from and be exactly what the generator makes from that version's openapi.json today (so a hand edit or
 * an engine upgrade without `npm run generate:openapi` fails here, not in a typed call at run time).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  engineCamundaVersion,
  generatedFromVersion,
  openapiTypes,
  openapiTypesFile,
} from "../../../scripts/openapi-types.js";
import { repoPath, repoRoot } from "../../support/repo.js";

describe("the generated REST API types", () => {
  const committed = readFileSync(repoPath(openapiTypesFile), "utf8");

  it("name the Camunda version engine/pom.xml builds", () => {
    assert.equal(generatedFromVersion(committed), engineCamundaVersion(repoRoot));
  });

  it("are exactly what the generator makes from that version's openapi.json", async () => {
    const fresh = await openapiTypes(engineCamundaVersion(repoRoot));
    // A plain equality would print two 20,000-line strings; name the first line that differs.
    const a = committed.split("\n");
    const b = fresh.split("\n");
    const first = a.findIndex((line, i) => line !== b[i]);
    assert.ok(
      first === -1 && a.length === b.length,
      `${openapiTypesFile} differs from a fresh generation at line ${first + 1}: run npm run generate:openapi`,
    );
  });

  it("would notice another version in the header", () => {
    assert.equal(generatedFromVersion(committed.replace("Camunda 7.23.0's", "Camunda 7.22.0's")), "7.22.0");
  });
});
