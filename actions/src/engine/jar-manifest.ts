/**
 * Reads `Main-Class` and `Class-Path` from a jar's manifest. The extracted engine is started with an
 * explicit class path (see cds.ts), in the order the manifest gives, so that class resolution is the same
 * as with `java -jar`.
 */
import { text } from "node:stream/consumers";
import yauzl from "yauzl";

export interface JarManifest {
  mainClass?: string;
  /** Entries of `Class-Path`, relative to the jar's folder, in manifest order. */
  classPath: string[];
}

/** Manifest lines are wrapped at 72 bytes; a continuation line starts with one space. */
export function parseManifest(content: string): JarManifest {
  const attributes = new Map<string, string>();
  let current: string | undefined;
  for (const raw of content.split(/\r?\n/)) {
    if (raw.startsWith(" ") && current !== undefined) {
      attributes.set(current, attributes.get(current) + raw.slice(1));
      continue;
    }
    if (raw.trim() === "") break; // the main section ends at the first blank line
    const colon = raw.indexOf(":");
    if (colon <= 0) continue;
    current = raw.slice(0, colon);
    attributes.set(current, raw.slice(colon + 1).trimStart());
  }
  const mainClass = attributes.get("Main-Class")?.trim();
  return {
    ...(mainClass ? { mainClass } : {}),
    classPath: (attributes.get("Class-Path") ?? "").split(" ").filter((entry) => entry !== ""),
  };
}

export async function readJarManifest(jar: string): Promise<JarManifest> {
  const zip = await yauzl.openPromise(jar, { lazyEntries: true });
  try {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      zip.on("entry", (candidate: yauzl.Entry) => {
        if (candidate.fileName === "META-INF/MANIFEST.MF") resolve(candidate);
        else zip.readEntry();
      });
      zip.once("end", () => resolve(undefined));
      zip.once("error", reject);
      zip.readEntry();
    });
    return entry ? parseManifest(await text(await zip.openReadStreamPromise(entry))) : { classPath: [] };
  } finally {
    zip.close();
  }
}
