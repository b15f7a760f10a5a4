import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../../infra/db/database.js';

/** The metrics of events out: what waits, how long deliveries take, which endpoints fail. */
export interface EventMetrics {
  deliveryLatency: Histogram<'outcome'>;
  deliveryFailures: Counter<'endpoint'>;
  mailsSent: Counter<'outcome'>;
}

/** Registers the metrics; the pending gauges read the database when scraped. */
export function registerEventMetrics(registry: Registry, db: Db): EventMetrics {
  const pending = async (table: string, where: (q: ReturnType<Db>) => unknown) => {
    const q = db(table);
    where(q);
    const row = await q.count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  };
  new Gauge({
    name: 'keyway_events_pending',
    help: 'Outbox events not yet fanned out, webhook deliveries and mails not yet sent',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.set({ kind: 'outbox' }, await pending('outbox_events', (q) => q.whereNull('dispatched_at')));
      this.set({ kind: 'webhook' }, await pending('webhook_deliveries', (q) => q.where({ state: 'pending' })));
      this.set({ kind: 'mail' }, await pending('mail_messages', (q) => q.where({ state: 'pending' })));
    },
  });
  return {
    deliveryLatency: new Histogram({
      name: 'keyway_webhook_delivery_seconds',
      help: 'Time of one webhook POST, by outcome (delivered, failed)',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    deliveryFailures: new Counter({
      name: 'keyway_webhook_delivery_failures_total',
      help: 'Webhook attempts that did not get a 2xx, by endpoint id',
      labelNames: ['endpoint'],
      registers: [registry],
    }),
    mailsSent: new Counter({
      name: 'keyway_mail_attempts_total',
      help: 'Mail attempts by outcome (accepted, retry, rejected, not_sent)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
