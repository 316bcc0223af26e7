import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "#core/util/errors.js";

/** One CLI verb. `run` returns the exit code (0 ok, 1 the work failed); usage errors throw UsageError. */
export interface Command {
  readonly name: string;
  /** One line for the overview in `camunda-gitops --help`. */
  readonly summary: string;
  /** Full help text printed by `camunda-gitops <verb> --help`. */
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses a verb's arguments with node:util parseArgs and turns its exceptions into a usage error
 * that names the verb, so `camunda-gitops lint --fromat json` says what went wrong and exits 2.
 */
export function parseCommandArgs<const O extends Options>(
  verb: string,
  argv: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const message =
      error instanceof Error ? error.message.replace(/^TypeError \[[A-Z_]+\]: /, "") : String(error);
    throw new UsageError(`${verb}: ${message.replace(/\.$/, "")}; see \`camunda-gitops ${verb} --help\`.`);
  }
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/** Parses a positive integer option, with the option name in the error. */
export function intOption(verb: string, name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new UsageError(`${verb}: --${name} must be a non-negative integer, got "${value}".`);
  }
  return parsed;
}
