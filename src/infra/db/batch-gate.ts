/**
 * Lets concurrent callers' database work through in batches, one batch at a time: a group
 * commit when the work is a write (a burst of N payments shares one transaction), one query
 * for many when it is a read. Either way a burst costs a few statements in all, not a few each.
 *
 * The first caller's batch runs at once: a light load waits for nothing. Callers who arrive
 * while a batch runs wait at the gate and go together in the next one (at most `maxBatch`).
 *
 * `runBatch` answers one outcome per item, in the items' order: an item's own failure rejects
 * only its caller. A batch that fails as a whole (its transaction rolled back, its query
 * refused) runs again item by item, each alone, so every caller gets the outcome its own work
 * would have had, and one bad item never fails the others.
 */
export class BatchGate<In, Out> {
  private readonly waiting: Array<{ item: In; resolve: (out: Out) => void; reject: (err: unknown) => void }> = [];
  private running = false;

  constructor(
    private readonly runBatch: (items: In[]) => Promise<Array<PromiseSettledResult<Out>>>,
    private readonly maxBatch = 64,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be ≥ 1, not ${maxBatch}`);
  }

  /** Runs `item` in the next batch; answers its outcome once that batch is done (committed, or failed). */
  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.startNext();
    });
  }

  private startNext(): void {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    const batch = this.waiting.splice(0, this.maxBatch);
    // Handed off: `run` settles every caller of the batch itself and never rejects.
    void this.run(batch).finally(() => {
      this.running = false;
      this.startNext();
    });
  }

  private async run(batch: typeof this.waiting): Promise<void> {
    let outcomes: Array<PromiseSettledResult<Out>>;
    try {
      outcomes = await this.runBatch(batch.map((b) => b.item));
    } catch (err) {
      outcomes =
        batch.length === 1
          ? [{ status: 'rejected', reason: err }]
          : await Promise.all(batch.map((b) => this.runAlone(b.item)));
    }
    batch.forEach((b, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) b.reject(new Error(`batch gate: no outcome for item ${i} of ${batch.length}`));
      else if (outcome.status === 'fulfilled') b.resolve(outcome.value);
      else b.reject(outcome.reason);
    });
  }

  private async runAlone(item: In): Promise<PromiseSettledResult<Out>> {
    try {
      const [outcome] = await this.runBatch([item]);
      return outcome ?? { status: 'rejected', reason: new Error('batch gate: no outcome') };
    } catch (err) {
      return { status: 'rejected', reason: err };
    }
  }
}
