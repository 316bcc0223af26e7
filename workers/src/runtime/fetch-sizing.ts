/**
 * How many tasks the next fetch asks for, and whether to fetch now: the runtime's one throughput
 * decision, a pure function so its unit tests pin it down.
 *
 * Handlers are bounded by the slots (WORKER_PARALLELISM); only the buffer of tasks fetched ahead of
 * them moves. A fetched-ahead task waits for a slot with its lock running, so the buffer is sized
 * from the measured task time: as many tasks as the slots finish within the horizon (at most a
 * second, and at most an eighth of the shortest lock served), capped by WORKER_PREFETCH, and none
 * once one task alone takes longer than the horizon (the first slot may free only after a whole task
 * time). Quick handlers get the whole cap, so every slot restarts at once from the buffer and fetches
 * are large (the engine's cost per fetch hardly depends on its size); slower ones get a few tasks or
 * none, so a replica never sits on work another replica could run now and no lock runs down in the
 * buffer. Nothing is fetched ahead before a task time has been measured.
 */

/** A fetched-ahead task should start within this long, so a buffer never hoards another replica's work. */
export const PREFETCH_HORIZON_MS = 1_000;

export interface FetchSizingInput {
  /** Handler slots (WORKER_PARALLELISM). */
  parallelism: number;
  /** Cap of the buffer fetched ahead (WORKER_PREFETCH; 0 = fetch only for free slots). */
  prefetchCap: number;
  /** Cap of one fetch (WORKER_MAX_TASKS). */
  maxTasks: number;
  /** Moving average of a task's time, start to reported outcome (ms); undefined before the first. */
  meanTaskMs: number | undefined;
  /** Shortest lock duration among the topics served (ms). */
  shortestLockMs: number;
}

/** Tasks that may be held fetched ahead of the slots now. */
export function prefetchBudget(input: FetchSizingInput): number {
  const { parallelism, prefetchCap, meanTaskMs, shortestLockMs } = input;
  if (prefetchCap <= 0 || meanTaskMs === undefined) return 0;
  const horizonMs = Math.min(PREFETCH_HORIZON_MS, shortestLockMs / 8);
  if (meanTaskMs > horizonMs) return 0;
  // Tasks the slots finish within the horizon: what a buffer of that size costs its last task in waiting.
  const finishable = Math.floor((parallelism * horizonMs) / Math.max(meanTaskMs, 1));
  return Math.max(0, Math.min(prefetchCap, finishable));
}

/**
 * The next fetch's size, or 0 to wait for capacity: room = slots + budget - held. Fetch when the room
 * is at least half of what one fetch could bring (so fetches are few and full), or when nothing is held
 * at all (a long poll for the first task must always be pending).
 */
export function nextFetchSize(input: FetchSizingInput, held: number): number {
  const capacity = input.parallelism + prefetchBudget(input);
  const room = capacity - held;
  if (room <= 0) return 0;
  const full = Math.min(capacity, input.maxTasks);
  if (held > 0 && room < Math.ceil(full / 2)) return 0;
  return Math.min(room, input.maxTasks);
}
