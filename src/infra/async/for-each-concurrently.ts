/**
 * Runs `work` for every item, at most `limit` at a time, starting them in the items' order.
 * Resolves once every started `work` has settled; if any rejected, rejects with the first
 * rejection after that (no item is started once one has failed), so no promise is left behind.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const runner = async () => {
    while (next < items.length && !failure) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, runner));
  if (failure) throw failure.error;
}
