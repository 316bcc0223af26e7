import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";

/**
 * Writes a zip whose bytes depend only on the entries' paths, modes and contents: entries sorted by
 * path, one fixed timestamp, no extended-timestamp field, permissions normalised by the caller.
 * That makes the archive's sha256 a content address, so the same commit yields the same S3 key.
 * (Deflate output is stable for one zlib build; a different Node major version may compress differently.)
 */
export interface ZipEntry {
  /** Path inside the archive, forward slashes, no leading slash. */
  path: string;
  /** File on disk to read the contents from. */
  source: string;
  /** Unix permission bits, e.g. 0o755. */
  mode: number;
}

export interface ZipResult {
  file: string;
  sha256: string;
  size: number;
}

/**
 * DOS timestamps carry no time zone and yazl encodes them from local-time fields, so the date is
 * built from local components: 1980-01-01 00:00 (the DOS epoch) comes out the same in every zone.
 */
const fixedMtime = new Date(1980, 0, 1, 0, 0, 0);

export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export async function writeDeterministicZip(
  entries: readonly ZipEntry[],
  outFile: string,
): Promise<ZipResult> {
  const sorted = [...entries].sort((a, b) => compareBytes(a.path, b.path));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.path === sorted[i - 1]!.path) throw new Error(`duplicate bundle entry ${sorted[i]!.path}`);
  }
  const zip = new yazl.ZipFile();
  for (const entry of sorted) {
    zip.addFile(entry.source, entry.path, {
      mtime: fixedMtime,
      mode: 0o100000 | (entry.mode & 0o7777),
      compressionLevel: 9,
      forceDosTimestamp: true,
    });
  }
  zip.end();

  const hash = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  // Write beside the target and rename, so an interrupted build never leaves a truncated bundle.
  const partial = `${outFile}.partial-${process.pid}`;
  try {
    await pipeline(zip.outputStream, tap, createWriteStream(partial));
    await rename(partial, outFile);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { file: outFile, sha256: hash.digest("hex"), size };
}
