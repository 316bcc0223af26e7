/**
 * calculate-premium: base premium of the vehicle's class × the risk decision's premiumFactor,
 * rounded to the penny. A factor of 0 (a RED application) gives a premium of 0; the process rejects
 * those, so no policy is ever issued at that price.
 */
import { z } from "zod";
import { premiumPence, vehicleClass } from "#workers/domain/premium-table.js";
import { applicationId, nonEmptyText } from "#workers/domain/variables.js";
import { complete, defineTopic } from "#workers/handler.js";

export const calculatePremium = defineTopic({
  topic: "calculate-premium",
  description: "Applies the risk decision's premium factor to the base premium of the vehicle class.",
  input: z.object({
    applicationId,
    vehicleMake: nonEmptyText,
    vehicleModel: nonEmptyText,
    premiumFactor: z
      .number("must be a number")
      .min(0, "must not be negative")
      .max(10, "must be at most 10 (check the risk_rating decision)"),
  }),
  outputs: ["premium", "vehicleClass"],
  bpmnErrors: [],
  lockDurationMs: 30_000,
  async handler(input) {
    const vehicle = vehicleClass(input.vehicleMake, input.vehicleModel);
    const pence = premiumPence(vehicle, input.premiumFactor);
    return complete({ premium: pence / 100, vehicleClass: vehicle });
  },
});
