/**
 * The small pieces the collector's REST calls need: a request counter (the exporter reports its own
 * cost per poll), a bounded parallel map (the engine's database pool is shared with the workers), and
 * Camunda's date format in both directions.
 */

/** Counts requests through the client's fetch. */
export interface RequestCounter {
  count: number;
}

/** A fetch that counts every request it sends into `counter`. */
export function countingFetch(counter: RequestCounter, inner: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    counter.count++;
    return inner(input, init);
  };
}

/** Camunda's REST date format: 2025-11-29T08:30:35.123+0000. */
export function camundaDate(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/** Parses Camunda's date format (its offset has no colon, which Date.parse does not accept everywhere). */
export function parseCamundaDate(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const parsed = Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of the results. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
