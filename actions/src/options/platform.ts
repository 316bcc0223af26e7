/** Options of the local platform's verbs: `camunda-gitops engine start` and `up`. */
import { z } from "zod";
import { engineDbs } from "#core/engine/state.js";
import { choice, optionalChoice, optionalWholeNumber, text, wholeNumber } from "./rules.js";

const port = optionalWholeNumber({ min: 1, max: 65_535 });

/** Port and database left unset accept an engine already running with its own. */
export const engineStartOptions = z.object({
  port,
  db: optionalChoice(engineDbs),
  host: text(),
  "data-dir": text(),
});

export const upOptions = z.object({
  port,
  db: choice(engineDbs, { default: "h2" }),
  /** Sample applications to submit (one per path of processes/examples/ for 4). */
  samples: wholeNumber({ min: 0, max: 1_000, default: 4 }),
});
