import { z } from "zod";
import { runAction } from "../shared/run-action.js";
import { run } from "./review.js";

// The review reads its inputs itself (review.ts); failures are reported as every action reports them.
await runAction({ what: "The process review", options: z.object({}), inputs: [], run: () => run() });
