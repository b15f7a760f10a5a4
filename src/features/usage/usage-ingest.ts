import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { NotFoundError, UnauthorizedError, ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditWriter } from '../audit/audit-store.js';
import type { RecordOutcome, UsageRecorder } from './usage-recorder.js';
import type { UsageStore } from './usage-store.js';

const purpose = (configurationId: number) => `usage-push:${configurationId}`;

/** The body a KA or a product pushes (`POST /usage-reports/ingest`). */
export const ingestBodySchema = z.object({
  configurationId: z.number().int().positive(),
  days: z
    .array(
      z.object({
        keyNumber: z.string().trim().min(1).max(80),
        day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day, YYYY-MM-DD'),
        peak: z.number().int().min(0).max(10_000_000),
        installationId: z.string().max(120).optional(),
        lastReportAt: z.iso.datetime(),
        quota: z.number().int().min(0).max(10_000_000).optional(),
      }),
    )
    .max(10_000),
});

export type IngestOutcome = RecordOutcome & { reportId: string; duplicate: boolean };

/**
 * Usage pushed to Keyway, signed per Standard Webhooks with the KA configuration's own secret
 * (`webhook-id` is the report id: a report sent again is taken once), and written as a pull's.
 */
export class UsageIngest {
  constructor(
    private readonly deps: {
      db: Db;
      store: UsageStore;
      recorder: UsageRecorder;
      secrets: SecretBox;
      audit: AuditWriter;
      configurationExists(id: number): Promise<boolean>;
      now: () => number;
    },
  ) {}

  /** A new secret for the configuration's pushes, answered this once (stored sealed). */
  async rotateSecret(configurationId: number, actor: Actor): Promise<string> {
    if (!(await this.deps.configurationExists(configurationId)))
      throw new NotFoundError('KA configuration', configurationId);
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const sealed = this.deps.secrets.seal(secret, purpose(configurationId));
    await this.deps.store.saveSource(this.deps.db, configurationId, { pushSecret: sealed }, this.deps.now());
    // Who replaced it, never the secret.
    await this.deps.audit.record(this.deps.db, {
      actor,
      action: 'ka_configuration.usage_push_secret_rotated',
      entityType: 'ka_configuration',
      entityId: configurationId,
    });
    return secret;
  }

  /** Checks the signature over the raw body first: nothing unsigned is parsed into the database. */
  async ingest(raw: Buffer, headers: Record<string, string | undefined>): Promise<IngestOutcome> {
    let configurationId: unknown;
    try {
      configurationId = (JSON.parse(raw.toString('utf8')) as { configurationId?: unknown }).configurationId;
    } catch {
      throw ValidationError.forFields([{ field: 'body', message: 'must be JSON' }]);
    }
    if (typeof configurationId !== 'number' || !Number.isSafeInteger(configurationId))
      throw ValidationError.forFields([{ field: 'configurationId', message: 'a KA configuration id is required' }]);
    const { pushSecret } = await this.deps.store.source(this.deps.db, configurationId);
    const refuse = () =>
      new UnauthorizedError(
        'The report is not signed with this configuration’s usage secret (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)',
      );
    if (!pushSecret) throw refuse();
    const secret = String(this.deps.secrets.open(pushSecret, purpose(configurationId)));
    let payload: unknown;
    try {
      payload = new Webhook(secret).verify(raw.toString('utf8'), {
        'webhook-id': headers['webhook-id'] ?? '',
        'webhook-timestamp': headers['webhook-timestamp'] ?? '',
        'webhook-signature': headers['webhook-signature'] ?? '',
      });
    } catch {
      throw refuse();
    }
    const parsed = ingestBodySchema.safeParse(payload);
    if (!parsed.success)
      throw ValidationError.forFields(
        parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })),
      );
    const reportId = String(headers['webhook-id']).slice(0, 120);
    const fresh = await this.deps.store.takeReceipt(
      this.deps.db,
      configurationId,
      reportId,
      parsed.data.days.length,
      this.deps.now(),
    );
    if (!fresh) return { reportId, duplicate: true, recorded: 0, unchanged: 0, unknownKeys: [] };
    let outcome: RecordOutcome;
    try {
      outcome = await this.deps.recorder.record(
        configurationId,
        parsed.data.days.map((d) => ({ ...d, lastReportAt: Date.parse(d.lastReportAt) })),
        'push',
      );
    } catch (err) {
      // Not taken after all: the sender's retry of the same report must count.
      await this.deps.store.dropReceipt(this.deps.db, configurationId, reportId);
      throw err;
    }
    return { reportId, duplicate: false, ...outcome };
  }
}
