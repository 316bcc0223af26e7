/** Options of `camunda-gitops metrics`: the business metrics exporter. */
import { z } from "zod";
import { defaultExporterPort } from "#core/metrics/settings.js";
import { text, wholeNumber } from "./rules.js";

export const metricsOptions = z.object({
  env: text(),
  /** 0 picks a free port. */
  port: wholeNumber({ min: 0, max: 65_535, default: defaultExporterPort }),
  host: text(),
  /** Seconds between polls: the engine's load is one poll per interval, whatever the scrapers do. */
  interval: wholeNumber({ min: 1, max: 3_600, default: 15 }),
});
