/**
 * Calls `create` `count` times in batches of 1, 2, 4, … (each batch at once), stopping after the first
 * batch with a failure: a quota that refuses one pod refuses them all, and one failed request says so
 * as well as five hundred. Returns how many succeeded and the first failure.
 *
 *   count 5, all succeed:         batches 1, 2, 2      → { successes: 5 }
 *   count 5, the 2nd call fails:  batches 1, 2 (stop)  → { successes: 2, error }
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  create: () => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initialBatchSize); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => create()));
    const failures = results.filter((result) => result.status === 'rejected');
    successes += size - failures.length;
    if (failures.length > 0) return { successes, error: failures[0]!.reason };
    remaining -= size;
  }
  return { successes };
}
