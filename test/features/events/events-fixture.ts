import { Writable } from 'node:stream';
import type { Db } from '../../../src/infra/db/database.js';
import { SecretBox } from '../../../src/infra/db/secret-box.js';
import { createLogger } from '../../../src/infra/log/logger.js';
import { createMetricsRegistry } from '../../../src/infra/metrics/metrics-registry.js';
import type { MailTransport } from '../../../src/infra/mail/mail-transport.js';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { composeEventsOut } from '../../../src/events-out.js';

/** The events feature on a test database, with short retries and no loop: tests run its rounds. */
export function eventsFeature(
  db: Db,
  options: {
    transport?: MailTransport;
    smtpUrl?: string;
    allowPrivate?: boolean;
    webhookRetryDelaysMs?: number[];
  } = {},
) {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const feature = composeEventsOut({
    db,
    config: {
      smtpUrl: options.smtpUrl,
      mailFrom: 'Acme Hosting <noc@acme.test>',
      webhookAllowPrivate: options.allowPrivate ?? true,
      staffMailTo: ['staff@acme.test'],
      mailBatchMinutes: 15,
      attachLicenseFiles: false,
      deliverEveryMs: 50,
    },
    demo: false,
    secrets: new SecretBox(Buffer.alloc(32, 7)),
    audit: new AuditStore(),
    logger: createLogger('trace', sink),
    metrics: createMetricsRegistry({ defaultMetrics: false }),
    consoleUrl: () => 'http://console.test',
    transport: options.transport,
    webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? [40, 40, 40, 40, 40, 40, 40, 40],
    mailRetryDelaysMs: [40, 40],
    webhookTimeoutMs: 2000,
  });
  return Object.assign(feature, { logs });
}

/** Runs the fan-out, then the webhooks and mails, as one tick of the loop. */
export async function tick(feature: ReturnType<typeof eventsFeature>): Promise<void> {
  await feature.loop.runOnce();
}
