import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BASE_PREMIUM_PENCE, vehicleClass } from "#workers/domain/premium-table.js";
import { harness } from "../../support/handlers.js";

const base = { applicationId: "APP-1", vehicleMake: "Volkswagen", vehicleModel: "Golf" };

describe("calculate-premium", () => {
  it("applies the factor to the family base premium", async () => {
    const result = await harness().run("calculate-premium", { ...base, premiumFactor: 1.0 });
    assert.deepEqual(result, { kind: "complete", variables: { premium: 560, vehicleClass: "family" } });
  });

  it("rounds to the penny", async () => {
    // 84,000 p × 1.2345 = 103,698 p exactly; 56,000 × 1.33333 = 74,666.48 p → 74,666 p.
    const suv = await harness().run("calculate-premium", {
      ...base,
      vehicleMake: "BMW",
      vehicleModel: "X5",
      premiumFactor: 1.2345,
    });
    assert.deepEqual(suv, { kind: "complete", variables: { premium: 1036.98, vehicleClass: "suv" } });
    const family = await harness().run("calculate-premium", { ...base, premiumFactor: 1.33333 });
    assert.deepEqual(family, { kind: "complete", variables: { premium: 746.66, vehicleClass: "family" } });
  });

  it("classifies by model, then make, case-insensitively, else family", () => {
    assert.equal(vehicleClass("porsche", "911"), "performance");
    assert.equal(vehicleClass("BMW", "X5"), "suv");
    assert.equal(vehicleClass("BMW", "320d"), "executive");
    assert.equal(vehicleClass("Fiat", " 500 "), "city");
    assert.equal(vehicleClass("Skoda", "Octavia"), "family");
    assert.equal(BASE_PREMIUM_PENCE.luxury > BASE_PREMIUM_PENCE.performance, true);
  });

  it("gives a zero premium for a zero factor (RED)", async () => {
    const result = await harness().run("calculate-premium", {
      ...base,
      vehicleMake: "Ferrari",
      premiumFactor: 0,
    });
    assert.deepEqual(result, { kind: "complete", variables: { premium: 0, vehicleClass: "luxury" } });
  });

  it("fails naming premiumFactor when it is missing, negative or not a number", async () => {
    for (const premiumFactor of [undefined, -1, "1.2", 11]) {
      const result = await harness().run("calculate-premium", { ...base, premiumFactor });
      assert.equal(result.kind, "failure", `factor ${String(premiumFactor)}`);
      assert.match(result.kind === "failure" ? result.message : "", /input variable "premiumFactor"/);
    }
  });
});
