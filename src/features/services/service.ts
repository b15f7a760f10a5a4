/**
 * One provisionable part of a subscription (hosting account, mailbox, DNS zone, ...).
 *
 * States:
 * - `pending`: not started, or waiting for its retry (`nextAttemptAt`) after a retryable failure.
 * - `provisioning`: a worker holds it until `nextAttemptAt` (its lease); after that the
 *   reconciler may take it over, so a crashed worker loses no work.
 * - `waiting`: the provisioner handed it on (webhook answered 202, manual work) and it
 *   becomes ready by a signed callback or by staff.
 * - `ready`: done. Licenses of a subscription are released when all its services are ready.
 * - `failed`: a permanent error or the retry budget spent; staff retry or mark it ready.
 */
export const serviceStates = ['pending', 'provisioning', 'waiting', 'ready', 'failed'] as const;
export type ServiceState = (typeof serviceStates)[number];

/** What a failed attempt leaves in `last_error` (JSON), for staff and the audit log. */
export interface ServiceError {
  message: string;
  code: string;
  retryable: boolean;
  /** HTTP status the webhook answered, when it answered. */
  status?: number;
  attempt?: number;
}

export interface Service {
  id: number;
  subscriptionId: number;
  key: string;
  kind: string;
  provisioner: string;
  state: ServiceState;
  settings: Record<string, unknown>;
  /** Keys of sibling services (same subscription) that must be ready before this one starts. */
  dependsOn: string[];
  attempts: number;
  /** ISO timestamps; the database keeps epoch milliseconds. */
  nextAttemptAt: string | null;
  lastError: ServiceError | null;
  readyAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Setting names that hold credentials. They are never sent to a webhook in `settings` and are
 * masked whenever a service is shown.
 */
const secretKey = /token|passw|secret|api[_-]?key|credential|private/i;

export function isSecretKey(name: string): boolean {
  return secretKey.test(name);
}

/** A copy of `settings` without secret-ish keys, at any depth. */
export function withoutSecrets(value: Record<string, unknown>): Record<string, unknown> {
  return transform(value, () => undefined);
}

/** A copy of `settings` with secret-ish values replaced by a mask, at any depth. */
export function maskSecrets(value: Record<string, unknown>): Record<string, unknown> {
  return transform(value, () => '********');
}

function transform(value: Record<string, unknown>, replace: () => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    if (isSecretKey(name)) {
      const replaced = replace();
      if (replaced !== undefined) out[name] = replaced;
    } else {
      out[name] = clean(v, replace);
    }
  }
  return out;
}

function clean(value: unknown, replace: () => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => clean(item, replace));
  if (value !== null && typeof value === 'object') return transform(value as Record<string, unknown>, replace);
  return value;
}

/** The service as the API shows it: settings with secrets masked. */
export function serviceView(service: Service): Service {
  return { ...service, settings: maskSecrets(service.settings) };
}
