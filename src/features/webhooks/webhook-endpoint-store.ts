import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';

/** An endpoint as the API and console show it: never its secret. */
export interface WebhookEndpoint {
  id: number;
  url: string;
  description: string;
  /** Event types it receives; `*` for all. */
  eventTypes: string[];
  enabled: boolean;
  /** `failing` once a delivery used up its retries, until one succeeds again. */
  status: 'active' | 'failing';
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

const purpose = 'webhook-endpoint:secret';

/** A new Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function fromRow(row: Record<string, unknown>): WebhookEndpoint {
  return {
    id: Number(row.id),
    url: String(row.url),
    description: String(row.description),
    eventTypes: JSON.parse(String(row.event_types)) as string[],
    enabled: Boolean(row.enabled),
    status: row.status === 'failing' ? 'failing' : 'active',
    failingSince: row.failing_since === null ? null : new Date(Number(row.failing_since)).toISOString(),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

/** The `webhook_endpoints` table; secrets are sealed with the installation's key. */
/** Whether the endpoint subscribed to events of `type` (or to all, `*`). */
export function wantsType(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type);
}

export class WebhookEndpointStore {
  constructor(private readonly secrets: SecretBox) {}

  async insert(
    db: DbOrTx,
    input: { url: string; description: string; eventTypes: string[]; enabled: boolean; secret: string },
    now: number,
  ): Promise<number> {
    const [id] = await db('webhook_endpoints').insert({
      url: input.url,
      description: input.description,
      event_types: JSON.stringify(input.eventTypes),
      secret_sealed: this.secrets.seal(input.secret, purpose),
      enabled: input.enabled,
      status: 'active',
      created_at: now,
      updated_at: now,
    });
    return Number(id);
  }

  async update(
    db: DbOrTx,
    id: number,
    patch: { url?: string; description?: string; eventTypes?: string[]; enabled?: boolean; secret?: string },
    now: number,
  ): Promise<boolean> {
    const values: Record<string, unknown> = { updated_at: now };
    if (patch.url !== undefined) values.url = patch.url;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.eventTypes !== undefined) values.event_types = JSON.stringify(patch.eventTypes);
    if (patch.enabled !== undefined) values.enabled = patch.enabled;
    if (patch.secret !== undefined) values.secret_sealed = this.secrets.seal(patch.secret, purpose);
    return (await db('webhook_endpoints').where({ id }).update(values)) === 1;
  }

  async get(db: DbOrTx, id: number): Promise<WebhookEndpoint | undefined> {
    const row = await db('webhook_endpoints').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async list(db: DbOrTx): Promise<WebhookEndpoint[]> {
    return (await db('webhook_endpoints').orderBy('id')).map(fromRow);
  }

  /** Enabled endpoints that receive `type`. */
  /** Every enabled endpoint, by id. */
  async enabled(db: DbOrTx): Promise<WebhookEndpoint[]> {
    return (await db('webhook_endpoints').where({ enabled: true }).orderBy('id')).map(fromRow);
  }

  /** The signing secret, for the sender only. */
  async secretOf(db: DbOrTx, id: number): Promise<string> {
    const row = await db('webhook_endpoints').where({ id }).first('secret_sealed');
    return String(this.secrets.open(String(row.secret_sealed), purpose));
  }

  async markFailing(db: DbOrTx, id: number, now: number): Promise<boolean> {
    return (
      (await db('webhook_endpoints')
        .where({ id, status: 'active' })
        .update({ status: 'failing', failing_since: now, updated_at: now })) === 1
    );
  }

  async markActive(db: DbOrTx, id: number, now: number): Promise<boolean> {
    return (
      (await db('webhook_endpoints')
        .where({ id, status: 'failing' })
        .update({ status: 'active', failing_since: null, updated_at: now })) === 1
    );
  }
}
