import type { Service } from './service.js';

/** What a provisioner knows besides the service itself. */
export interface ProvisionContext {
  /** 1 on the first attempt. */
  attempt: number;
  /** Where the provider confirms an asynchronous provisioning (`POST`, signed). */
  callbackUrl: string;
  /** The key the provider signs its confirmation with; sent only to the service's own webhook. */
  callbackSecret: string;
}

/** A provisioner's answer: done now, or handed on to someone who will confirm later. */
export type ProvisionOutcome = { state: 'ready' } | { state: 'waiting' };

/**
 * Makes one kind of service exist (`services.provisioner` names it). Called by the worker once
 * per attempt, possibly more than once for the same service (at-least-once delivery, a lapsed
 * lease), so whatever it calls must tolerate a repeat keyed by `service.id`.
 *
 * Failures throw `ServiceProvisionError`; `retryable` decides between another attempt (with
 * backoff, within the budget) and `failed`. Any other error counts as retryable.
 */
export interface ServiceProvisioner {
  readonly name: string;
  provision(service: Service, ctx: ProvisionContext): Promise<ProvisionOutcome>;
}

export class ServiceProvisionError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  /** HTTP status of the provider's answer, when there was one. */
  readonly status?: number;

  constructor(message: string, options: { retryable: boolean; code: string; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceProvisionError';
    this.retryable = options.retryable;
    this.code = options.code;
    this.status = options.status;
  }
}
