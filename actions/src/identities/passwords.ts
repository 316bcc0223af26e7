/**
 * Where the declared users' passwords come from. A technical user names an environment variable (the
 * release job maps it from the environment's secrets); on the local engine a user may say
 * `generated`, and its password is generated once into a git-ignored file next to the engine's admin
 * credentials (`<engine data folder>/users.json`, mode 0600), where people and `npm start` find it.
 * No password is ever printed or put into a plan.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "#core/util/errors.js";
import { displayPath } from "#core/util/paths.js";
import type { PasswordSource } from "./desired.js";

export interface PasswordResolver {
  /** The password, when this machine has it; otherwise why not (for the plan). */
  lookup(userId: string, source: PasswordSource): { password: string } | { missing: string };
  /** The password to create a user with: generated ones are made and stored first, never lost. */
  obtain(userId: string, source: PasswordSource): string;
}

/** `<engine data folder>/users.json`: the generated passwords of the local environment's users. */
export function generatedPasswordsFile(engineDataDir: string): string {
  return path.join(engineDataDir, "users.json");
}

export function passwordResolver(options: {
  env: NodeJS.ProcessEnv;
  /** Only the local environment has one; without it, "generated" is refused. */
  generatedFile?: string | undefined;
  environmentFile: string;
}): PasswordResolver {
  const { env, generatedFile } = options;
  const read = (): Record<string, string> => {
    if (!generatedFile || !existsSync(generatedFile)) return {};
    try {
      const parsed = JSON.parse(readFileSync(generatedFile, "utf8")) as { users?: Record<string, unknown> };
      return Object.fromEntries(
        Object.entries(parsed.users ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"),
      );
    } catch {
      throw new UsageError(
        `${displayPath(generatedFile)} is not valid JSON ({"users": {"<id>": "<password>"}} expected); delete it and release again (the local users get new passwords).`,
      );
    }
  };
  const lookup: PasswordResolver["lookup"] = (userId, source) => {
    if (source === "generated") {
      if (!generatedFile) {
        return {
          missing: `"generated" passwords exist only for the local engine (${options.environmentFile})`,
        };
      }
      const stored = read()[userId];
      return stored ? { password: stored } : { missing: `not generated yet (${displayPath(generatedFile)})` };
    }
    const value = env[source.env];
    return value ? { password: value } : { missing: `${source.env} is not set here` };
  };
  return {
    lookup,
    obtain(userId, source) {
      const found = lookup(userId, source);
      if ("password" in found) return found.password;
      if (source !== "generated") {
        throw new UsageError(
          `user "${userId}" of ${options.environmentFile} does not exist in the engine yet and ${source.env} is not set; set it to the user's password (from the environment's secrets) and release again.`,
        );
      }
      if (!generatedFile) throw new UsageError(`user "${userId}": ${found.missing}; use { env: VARIABLE }.`);
      const password = randomBytes(18).toString("base64url");
      const users = { ...read(), [userId]: password };
      mkdirSync(path.dirname(generatedFile), { recursive: true, mode: 0o700 });
      const temporary = `${generatedFile}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
      chmodSync(temporary, 0o600);
      renameSync(temporary, generatedFile);
      return password;
    },
  };
}
