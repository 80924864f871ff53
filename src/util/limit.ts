// A small concurrency limiter: at most `max` tasks of one limiter run at once. A finishing task
// hands its slot straight to the next waiter, so the bound holds exactly.
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(max: number): Limiter {
  let active = 0;
  const waiters: (() => void)[] = [];
  const release = () => {
    const next = waiters.shift();
    if (next) next();
    else active--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < max) active++;
    else await new Promise<void>((r) => waiters.push(r));
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** Map over items with bounded concurrency, keeping input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  max: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const limit = createLimiter(max);
  return Promise.all(items.map((item, i) => limit(() => fn(item, i))));
}

/**
 * Run fn over items with at most `max` calls in flight, without creating a promise per item up
 * front: memory stays bounded however many items there are.
 */
export async function forEachBounded<T>(
  items: Iterable<T>,
  max: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  let failure: unknown;
  for (const item of items) {
    if (failure) break;
    const p: Promise<unknown> = fn(item).then(
      () => inFlight.delete(p),
      (err) => {
        failure ??= err;
        inFlight.delete(p);
      },
    );
    inFlight.add(p);
    if (inFlight.size >= max) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
}
