/**
 * Group commit: the writes of concurrent callers share one transaction, so a burst of N
 * callers costs a few statements each instead of a whole transaction each.
 *
 * The first caller's batch is written at once: a light load waits for nothing. Callers who
 * arrive while a batch is being written queue up, and go together in the next one (at most
 * `maxBatch`). One batch is written at a time per `GroupCommit`.
 *
 * `writeBatch` answers one outcome per item, in the items' order: an item's own failure
 * rejects only its caller. A batch that fails as a whole (its transaction rolled back) is
 * written again item by item, each alone, so every caller gets the outcome its own write
 * would have had, and one bad item never fails the others.
 */
export class GroupCommit<In, Out> {
  private readonly waiting: Array<{ item: In; resolve: (out: Out) => void; reject: (err: unknown) => void }> = [];
  private writing = false;

  constructor(
    private readonly writeBatch: (items: In[]) => Promise<Array<PromiseSettledResult<Out>>>,
    private readonly maxBatch = 64,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be ≥ 1, not ${maxBatch}`);
  }

  /** Writes `item` in the next batch; answers its outcome once that batch committed (or failed). */
  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.startNext();
    });
  }

  private startNext(): void {
    if (this.writing || this.waiting.length === 0) return;
    this.writing = true;
    const batch = this.waiting.splice(0, this.maxBatch);
    // Handed off: `write` settles every caller of the batch itself and never rejects.
    void this.write(batch).finally(() => {
      this.writing = false;
      this.startNext();
    });
  }

  private async write(batch: typeof this.waiting): Promise<void> {
    let outcomes: Array<PromiseSettledResult<Out>>;
    try {
      outcomes = await this.writeBatch(batch.map((b) => b.item));
    } catch (err) {
      outcomes =
        batch.length === 1
          ? [{ status: 'rejected', reason: err }]
          : await Promise.all(batch.map((b) => this.writeAlone(b.item)));
    }
    batch.forEach((b, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) b.reject(new Error(`group commit: no outcome for item ${i} of ${batch.length}`));
      else if (outcome.status === 'fulfilled') b.resolve(outcome.value);
      else b.reject(outcome.reason);
    });
  }

  private async writeAlone(item: In): Promise<PromiseSettledResult<Out>> {
    try {
      const [outcome] = await this.writeBatch([item]);
      return outcome ?? { status: 'rejected', reason: new Error('group commit: no outcome') };
    } catch (err) {
      return { status: 'rejected', reason: err };
    }
  }
}
