import type { Service, ServiceError } from './service.js';
import { ServiceProvisionError } from './service-provisioner.js';

/**
 * Whether every service `service` depends on is ready. A dependency key with no sibling never
 * is: plans are validated against that, and a service that cannot start is safer than one
 * that starts out of order.
 */
export function dependenciesReady(service: Service, siblings: Service[]): boolean {
  return service.dependsOn.every((key) => siblings.some((s) => s.key === key && s.state === 'ready'));
}

/** When the service's next attempt (pending) or lease end (provisioning) is due, epoch ms. */
export function dueAt(service: Service, now: number): number {
  return service.nextAttemptAt ? Date.parse(service.nextAttemptAt) : now;
}

/** What a failed attempt records. Errors that are not ours count as retryable (a transient fault). */
export function toServiceError(err: unknown, attempt: number): ServiceError {
  if (err instanceof ServiceProvisionError) {
    return { message: err.message, code: err.code, retryable: err.retryable, ...(err.status === undefined ? {} : { status: err.status }), attempt };
  }
  return { message: err instanceof Error ? err.message : String(err), code: 'provisioner_error', retryable: true, attempt };
}
