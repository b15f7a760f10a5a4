import { createHmac, timingSafeEqual } from 'node:crypto';
import { installationSecret } from '../../infra/db/app-secrets.js';
import type { DbOrTx } from '../../infra/db/database.js';
import type { SecretBox } from '../../infra/db/secret-box.js';

/** The header a provider signs its confirmation with: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'X-Keyway-Signature';

const signaturePattern = /^sha256=([0-9a-f]{64})$/i;

/**
 * Callback secrets and signatures of webhook services. Each service has its own secret,
 * derived rather than stored: HMAC-SHA256(installation secret "service-callback",
 * `service:<id>`) as hex, so every process (api and workers) agrees without a table, and one
 * provider's secret confirms nothing but its own service.
 */
export class ServiceCallbackSigner {
  /** The installation secret never changes once created, so one read per process is enough. */
  private root: Promise<string> | undefined;

  constructor(
    private readonly db: DbOrTx,
    /** The installation's key: the installation secret is stored sealed. */
    private readonly secrets: SecretBox,
  ) {}

  async secretFor(serviceId: number): Promise<string> {
    return createHmac('sha256', await this.rootSecret())
      .update(`service:${serviceId}`)
      .digest('hex');
  }

  /** The header value for `body` (what a provider computes; tests and our own requests use it). */
  async sign(serviceId: number, body: Buffer | string): Promise<string> {
    return `sha256=${createHmac('sha256', await this.secretFor(serviceId))
      .update(body)
      .digest('hex')}`;
  }

  /** Whether `header` is a valid signature of `body` for the service. Compared in constant time. */
  async verify(serviceId: number, body: Buffer, header: string | undefined): Promise<boolean> {
    const match = header ? signaturePattern.exec(header.trim()) : null;
    if (!match?.[1]) return false;
    const given = Buffer.from(match[1].toLowerCase(), 'hex');
    const expected = createHmac('sha256', await this.secretFor(serviceId))
      .update(body)
      .digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private rootSecret(): Promise<string> {
    if (!this.root) {
      this.root = installationSecret(this.db, 'service-callback', this.secrets).catch((err: unknown) => {
        // Do not cache a failed read (database briefly away): the next call tries again.
        this.root = undefined;
        throw err;
      });
    }
    return this.root;
  }
}
