import type { DeclaredRouter } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import { EventDispatcher } from './event-dispatcher.js';
import { registerEventMetrics } from './event-metrics.js';
import { eventRoutes } from './event-routes.js';
import type { EventReceiver } from './outbox-port.js';
import { OutboxStore } from './outbox-store.js';

/**
 * The outbox: its reader (`GET /events`), the metrics of events out (`GET /metrics`), and the
 * fan-out to the receivers the composition root gives (webhooks, mail). Transitions write to
 * it through `outboxEventWriter` / `recordEvent`, which need nothing built.
 */
export function createEventsFeature(deps: { db: Db; metrics: Registry }) {
  const outbox = new OutboxStore();
  const metrics = registerEventMetrics(deps.metrics, deps.db);
  const routes: DeclaredRouter[] = [eventRoutes({ db: deps.db, outbox })];
  return {
    outbox,
    metrics,
    routes,
    dispatcher: (receivers: EventReceiver[]) => new EventDispatcher({ db: deps.db, outbox, receivers }),
  };
}

export type EventsFeature = ReturnType<typeof createEventsFeature>;
