/**
 * Reads Prometheus text exposition format (what /metrics answers) into samples, for assertions. Only
 * what the tests need: names, labels, values, and the TYPE lines.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The samples of one metric whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the one sample that matches, or undefined when none does. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const trimmed = raw.trim();
    if (trimmed.startsWith("# TYPE ")) {
      const [, , name, type] = trimmed.split(/\s+/);
      if (name && type) types.set(name, type);
      continue;
    }
    if (!trimmed || trimmed.startsWith("#")) continue;
    const match = line.exec(trimmed);
    if (!match) throw new Error(`not a Prometheus sample line: ${trimmed}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(label))
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    const value = match[3] === "+Inf" ? Infinity : match[3] === "-Inf" ? -Infinity : Number(match[3]);
    samples.push({ name: match[1]!, labels, value });
  }
  const find = (name: string, wanted: Record<string, string> = {}) =>
    samples.filter(
      (s) => s.name === name && Object.entries(wanted).every(([key, value]) => s.labels[key] === value),
    );
  return {
    samples,
    types,
    find,
    value(name, wanted) {
      const found = find(name, wanted);
      if (found.length > 1)
        throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(wanted)}`);
      return found[0]?.value;
    },
  };
}

export async function scrape(url: string): Promise<Exposition> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return parseExposition(await response.text());
}
