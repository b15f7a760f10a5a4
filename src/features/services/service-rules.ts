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

/**
 * Keys of the services that are ready the moment they exist: `instant` ones whose dependencies
 * are all ready the same way. They need no provisioning job, so a plan of instant services
 * goes from payment to its licenses without one.
 */
export function readyOnCreation(
  services: ReadonlyArray<{ key: string; provisioner: string; dependsOn: string[] }>,
): Set<string> {
  const ready = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of services) {
      if (ready.has(s.key) || s.provisioner !== 'instant' || !s.dependsOn.every((key) => ready.has(key))) continue;
      ready.add(s.key);
      grew = true;
    }
  }
  return ready;
}

/** When the service's next attempt (pending) or lease end (provisioning) is due, epoch ms. */
export function dueAt(service: Service, now: number): number {
  return service.nextAttemptAt ? Date.parse(service.nextAttemptAt) : now;
}

/** What a failed attempt records. Errors that are not ours count as retryable (a transient fault). */
export function toServiceError(err: unknown, attempt: number): ServiceError {
  if (err instanceof ServiceProvisionError) {
    return {
      message: err.message,
      code: err.code,
      retryable: err.retryable,
      ...(err.status === undefined ? {} : { status: err.status }),
      attempt,
    };
  }
  return {
    message: err instanceof Error ? err.message : String(err),
    code: 'provisioner_error',
    retryable: true,
    attempt,
  };
}
