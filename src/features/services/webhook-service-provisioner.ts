import { createHmac } from 'node:crypto';
import type { Service } from './service.js';
import { withoutSecrets } from './service.js';
import { SIGNATURE_HEADER } from './service-callback-signer.js';
import {
  type ProvisionContext,
  type ProvisionOutcome,
  type ServiceProvisioner,
  ServiceProvisionError,
} from './service-provisioner.js';

export interface WebhookServiceProvisionerOptions {
  /** How long one request may take, connection to last byte of the headers. Default 10 s. */
  timeoutMs?: number;
}

/** What the provider receives (JSON). Secret-ish settings are left out. */
export interface WebhookPayload {
  serviceId: number;
  subscriptionId: number;
  key: string;
  kind: string;
  settings: Record<string, unknown>;
  callbackUrl: string;
  callbackSecret: string;
}

/**
 * Asks a provider to set the service up: `POST settings.url` with a JSON `WebhookPayload`.
 *
 * - 2xx other than 202: ready. 202: accepted, it confirms later with a signed
 *   `POST callbackUrl` (so the service waits).
 * - Any other status, a redirect, a timeout or a network error: retryable. The request is
 *   keyed by `serviceId`, which the provider must treat as idempotent: an attempt whose answer
 *   was lost is sent again.
 * - `settings.token`, when set, is sent as `Authorization: Bearer <token>` (never in the
 *   body), and the body is signed with the callback secret (`X-Keyway-Signature`) so the
 *   provider can tell the request is ours.
 */
export class WebhookServiceProvisioner implements ServiceProvisioner {
  readonly name = 'webhook';
  private readonly timeoutMs: number;

  constructor(options: WebhookServiceProvisionerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async provision(service: Service, ctx: ProvisionContext): Promise<ProvisionOutcome> {
    const url = targetUrl(service.settings.url);
    const payload: WebhookPayload = {
      serviceId: service.id,
      subscriptionId: service.subscriptionId,
      key: service.key,
      kind: service.kind,
      settings: withoutSecrets(service.settings),
      callbackUrl: ctx.callbackUrl,
      callbackSecret: ctx.callbackSecret,
    };
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: `sha256=${createHmac('sha256', ctx.callbackSecret).update(body).digest('hex')}`,
    };
    if (typeof service.settings.token === 'string') headers.authorization = `Bearer ${service.settings.token}`;

    let res: Response;
    try {
      // A POST must not silently turn into a GET elsewhere: redirects count as failures.
      res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new ServiceProvisionError(
        timedOut
          ? `Webhook did not answer within ${this.timeoutMs} ms`
          : `Webhook request failed: ${causeMessage(err)}`,
        { retryable: true, code: timedOut ? 'webhook_timeout' : 'webhook_unreachable', cause: err },
      );
    }
    // The answer's body is not used; release the connection.
    await res.body?.cancel().catch(() => {});
    if (res.status === 202) return { state: 'waiting' };
    if (res.status >= 200 && res.status < 300) return { state: 'ready' };
    throw new ServiceProvisionError(`Webhook answered HTTP ${res.status}`, {
      retryable: true,
      code: 'webhook_status',
      status: res.status,
    });
  }
}

function targetUrl(value: unknown): URL {
  try {
    const url = new URL(String(value));
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new ServiceProvisionError('The service has no valid webhook url (settings.url)', {
    retryable: false,
    code: 'webhook_misconfigured',
  });
}

function causeMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
