/** Key reads per second per configuration when its `syncCallsPerSecond` is not set. */
export const defaultSyncCallsPerSecond = 5;

/**
 * Paces a worker's key reads per KA configuration (KAs rate-limit): each read takes the next
 * free slot of its configuration, slots `1000 / rate` ms apart, and waits for it. So in any
 * second one worker sends a configuration at most its rate, whatever the number of bulk jobs
 * and scheduled passes reading at once. The pacing is per worker process: N workers read up to
 * N times the rate (the scheduled pass's share per run is bounded too, see `SyncScheduler`).
 */
export class SyncPacer {
  private readonly nextSlot = new Map<number, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async take(configurationId: number, perSecond: number | null | undefined): Promise<void> {
    const rate = perSecond && perSecond > 0 ? perSecond : defaultSyncCallsPerSecond;
    const now = this.now();
    // Reserved before waiting, so readers arriving together line up instead of sharing a slot.
    const slot = Math.max(now, this.nextSlot.get(configurationId) ?? 0);
    this.nextSlot.set(configurationId, slot + 1000 / rate);
    if (slot > now) await this.sleep(slot - now);
  }
}
