/**
 * IdempotencyStore on a local directory, safe across processes that share the directory (workers on
 * one host, a worker killed with -9 and restarted). Each key is one file named by the key's SHA-256.
 * A record is written completely to a temporary file and fsynced, then hard-linked to its final name:
 * link(2) fails with EEXIST if the name exists, so exactly one writer wins and a reader never sees a
 * half-written record. A crash leaves at most a stray temporary file, never a partial record.
 */
import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import type { IdempotencyStore, StoredRecord } from "./idempotency-store.js";

const NAMESPACE = /^[a-z0-9][a-z0-9-]*$/;

export class FileIdempotencyStore implements IdempotencyStore {
  constructor(readonly directory: string) {}

  async putIfAbsent<T>(namespace: string, key: string, value: T): Promise<StoredRecord<T>> {
    const file = this.fileFor(namespace, key);
    const existing = await this.read<T>(file);
    if (existing !== undefined) return { value: existing, created: false };

    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.writeFile(JSON.stringify({ key, value }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, file);
      return { value, created: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const winner = await this.read<T>(file);
      if (winner === undefined) throw new Error(`idempotency record ${file} vanished while being read`);
      return { value: winner, created: false };
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    return this.read<T>(this.fileFor(namespace, key));
  }

  async list<T>(namespace: string): Promise<T[]> {
    const directory = path.dirname(this.fileFor(namespace, ""));
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const values: T[] = [];
    for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
      const value = await this.read<T>(path.join(directory, name));
      if (value !== undefined) values.push(value);
    }
    return values;
  }

  private fileFor(namespace: string, key: string): string {
    if (!NAMESPACE.test(namespace)) throw new Error(`invalid idempotency namespace "${namespace}"`);
    const digest = createHash("sha256").update(key).digest("hex");
    return path.join(this.directory, namespace, `${digest}.json`);
  }

  private async read<T>(file: string): Promise<T | undefined> {
    try {
      const record = JSON.parse(await readFile(file, "utf8")) as { value: T };
      return record.value;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }
}
