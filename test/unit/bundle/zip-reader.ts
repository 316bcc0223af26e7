/** Reads a zip's central directory: enough to check names, order, modes and timestamps in tests. */
import { readFileSync } from "node:fs";

export interface CentralEntry {
  name: string;
  mode: number;
  dosTime: number;
  dosDate: number;
  extraLength: number;
}

export function readCentralDirectory(file: string): CentralEntry[] {
  const buf = readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} has no end-of-central-directory record`);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const entries: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory header at ${offset}`);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    entries.push({
      name: buf.toString("utf8", offset + 46, offset + 46 + nameLength),
      mode: buf.readUInt32LE(offset + 38) >>> 16,
      dosTime: buf.readUInt16LE(offset + 12),
      dosDate: buf.readUInt16LE(offset + 14),
      extraLength,
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
