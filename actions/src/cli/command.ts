import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "#core/util/errors.js";

/** What every verb is told by the entry point instead of working it out itself. */
export interface CommandContext {
  /** The checkout the CLI belongs to: its environments/, engine/, processes/ and .local/. */
  readonly root: string;
  /**
   * Loads a TypeScript module of the checkout as data (the workers' topic registry), the way the
   * running CLI can: through tsx, or from the build the CLI started from. Default: import().
   */
  readonly importModule?: (absolutePath: string) => Promise<unknown>;
}

/**
 * One CLI verb. `run` returns the exit code (0 ok, 1 the work failed); usage errors throw UsageError.
 * Its one-line summary lives in main.ts, so `--help` lists every verb without loading any of them.
 */
export interface Command {
  /** Full help text printed by `camunda-gitops <verb> --help`. */
  readonly help: string;
  run(argv: string[], context: CommandContext): Promise<number>;
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
