import type { SyncSlotLedger } from './sync-slot-ledger.js';

/** Key reads per second per configuration when its `syncCallsPerSecond` is not set. */
export const defaultSyncCallsPerSecond = 5;

/** How much of a configuration's time a worker reserves at once: its share of the ledger's traffic. */
const reservationMs = 250;

/**
 * Slots are spread over a second and this much, so the network's jitter cannot bring `rate + 1`
 * reads into one second at the KA (reads exactly `1000 / rate` apart put the first and the
 * last of `rate + 1` exactly a second apart: one late packet and the KA counts them together).
 */
export const syncWindowMarginMs = 50;

interface OwnSlots {
  /** The next slot this worker may use; slots lie `interval` apart from the run's start. */
  next: number;
  /** Where the reserved run ends (the next worker's run starts there or later). */
  end: number;
  interval: number;
}

/**
 * Paces key reads per KA configuration across every worker (KAs rate-limit): each read takes
 * the next free slot of its configuration, slots `(1000 + syncWindowMarginMs) / rate` ms apart,
 * and waits for it. A
 * worker reserves its slots in short runs (a quarter second of the configuration's rate) from
 * the shared `SyncSlotLedger`, so the runs of all workers never overlap and, in any second, the
 * KA gets at most the configuration's rate, whatever the number of workers, bulk jobs and
 * scheduled passes reading at once. A slot left unused (a pass ended, or a read came late) is
 * lost, never spent twice: the rate is a ceiling, not a quota.
 */
export class SyncPacer {
  private readonly own = new Map<number, OwnSlots>();
  private readonly reserving = new Map<number, Promise<void>>();

  constructor(
    private readonly ledger: SyncSlotLedger,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Waits for the next slot of the configuration, and returns its time. */
  async take(configurationId: number, perSecond: number | null | undefined): Promise<number> {
    const rate = perSecond && perSecond > 0 ? perSecond : defaultSyncCallsPerSecond;
    const interval = (1000 + syncWindowMarginMs) / rate;
    for (;;) {
      // Taken synchronously, so readers arriving together line up instead of sharing a slot.
      const slot = this.nextOwnSlot(configurationId, interval);
      if (slot !== undefined) {
        const wait = slot - this.now();
        if (wait > 0) await this.sleep(wait);
        return slot;
      }
      await this.reserve(configurationId, interval);
    }
  }

  private nextOwnSlot(configurationId: number, interval: number): number | undefined {
    const own = this.own.get(configurationId);
    if (!own || own.interval !== interval) return undefined;
    // Slots already past went unused; the next one on the run's grid keeps the spacing.
    const behind = Math.max(0, Math.ceil((this.now() - own.next) / interval));
    const slot = own.next + behind * interval;
    if (slot >= own.end) return undefined;
    own.next = slot + interval;
    return slot;
  }

  /** One reservation per configuration at a time: readers that find the run spent wait for the same one. */
  private reserve(configurationId: number, interval: number): Promise<void> {
    let pending = this.reserving.get(configurationId);
    if (!pending) {
      const count = Math.max(1, Math.round(reservationMs / interval));
      pending = this.ledger
        .reserve(configurationId, count, interval, this.now())
        .then((start) => {
          this.own.set(configurationId, { next: start, end: start + count * interval, interval });
        })
        .finally(() => this.reserving.delete(configurationId));
      this.reserving.set(configurationId, pending);
    }
    return pending;
  }
}
