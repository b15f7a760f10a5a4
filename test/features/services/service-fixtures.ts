import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { errorMiddleware, notFoundRoute } from '../../../src/errors/error-middleware.js';
import { AuditStore } from '../../../src/features/audit/audit-store.js';
import { authenticate } from '../../../src/features/auth/auth-middleware.js';
import type { RoleName } from '../../../src/kernel/principal.js';
import { TokenStore } from '../../../src/features/auth/token-store.js';
import { LicenseRequestRelease } from '../../../src/features/license-requests/license-request-release.js';
import { LicenseRequestStore } from '../../../src/features/license-requests/license-request-store.js';
import { registerServiceJobs } from '../../../src/features/services/service-jobs.js';
import type { ServiceRetryPolicy } from '../../../src/features/services/service-provisioning-service.js';
import { createServicesFeature, type ServicesFeature } from '../../../src/features/services/services-feature.js';
import { SubscriptionStore } from '../../../src/features/subscriptions/subscription-store.js';
import type { Db } from '../../../src/infra/db/database.js';
import { SecretBox } from '../../../src/infra/db/secret-box.js';
import { toJson } from '../../../src/infra/db/rows.js';
import { createLogger } from '../../../src/infra/log/logger.js';
import { InProcessJobQueue } from '../../../src/infra/queue/in-process-job-queue.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';
import { testSecretKey, uniqueName } from '../../helpers/test-env.js';

export interface FixtureService {
  key: string;
  provisioner: 'instant' | 'webhook' | 'manual' | string;
  kind?: string;
  settings?: Record<string, unknown>;
  dependsOn?: string[];
}

export interface FixtureSubscription<K extends string = string> {
  subscriptionId: number;
  /** Service ids by key. */
  ids: Record<K, number>;
  licenseRequestId: number;
}

const configurations = new WeakMap<Db, Promise<number>>();

/** A paid order's rows as the payment transaction writes them: subscription, services, one license request. */
export async function insertSubscription<K extends string>(
  db: Db,
  services: Array<FixtureService & { key: K }>,
): Promise<FixtureSubscription<K>> {
  let configuration = configurations.get(db);
  if (!configuration) {
    configuration = insertKaConfiguration(db);
    configurations.set(db, configuration);
  }
  const configurationId = await configuration;
  const now = Date.now();
  const name = uniqueName('svc');
  const [customerId] = await db('customers').insert({
    name: 'Grace Hopper',
    email: 'grace@example.com',
    created_at: now,
    updated_at: now,
  });
  const [planId] = await db('plans').insert({
    code: name,
    name: 'Plan',
    periods: '[12]',
    created_at: now,
    updated_at: now,
  });
  const [orderId] = await db('orders').insert({
    reference: name,
    customer_id: customerId,
    plan_id: planId,
    period_months: 12,
    state: 'paid',
    paid_at: now,
    created_at: now,
    updated_at: now,
  });
  const [subscriptionId] = await db('subscriptions').insert({
    order_id: orderId,
    customer_id: customerId,
    plan_id: planId,
    period_months: 12,
    state: 'provisioning',
    starts_at: now,
    expires_at: now + 365 * 86_400_000,
    created_at: now,
    updated_at: now,
  });
  const ids = {} as Record<K, number>;
  for (const s of services) {
    const [id] = await db('services').insert({
      subscription_id: subscriptionId,
      key: s.key,
      kind: s.kind ?? 'hosting',
      provisioner: s.provisioner,
      state: 'pending',
      settings: toJson(s.settings ?? {}),
      depends_on: toJson(s.dependsOn ?? []),
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    });
    ids[s.key] = Number(id);
  }
  const { id: licenseRequestId } = await new LicenseRequestStore().insert(db, {
    subscriptionId: Number(subscriptionId),
    customerId: Number(customerId),
    configurationId,
    serviceId: null,
    source: 'order',
    product: 'PLESK-WEB-HOST',
    features: [],
    quantity: 1,
    periodMonths: 12,
    state: 'pending',
  });
  return { subscriptionId: Number(subscriptionId), ids, licenseRequestId };
}

export interface HarnessOptions {
  retry?: Partial<ServiceRetryPolicy>;
  leaseMs?: number;
  webhookTimeoutMs?: number;
  /** Leave the queue without handlers (the test runs jobs itself). */
  noWorker?: boolean;
}

export interface Harness {
  feature: ServicesFeature;
  queue: InProcessJobQueue;
  audit: AuditStore;
  /** Base URL of the API (callback and staff routes under /api/v1). */
  baseUrl: string;
  /** Every onAllServicesReady call that released license requests, in order. */
  releases: number[];
  close(): Promise<void>;
}

/**
 * The services feature wired as the app wires it: in-process queue with the service jobs,
 * the real license request release as `onAllServicesReady`, and an HTTP API with the callback
 * route before bearer authentication and the staff routes behind it.
 */
export async function startHarness(db: Db, options: HarnessOptions = {}): Promise<Harness> {
  const queue = new InProcessJobQueue();
  const audit = new AuditStore();
  const logger = createLogger('silent');
  const releases: number[] = [];
  const release = new LicenseRequestRelease(
    db,
    new LicenseRequestStore(),
    new SubscriptionStore(),
    audit,
    async () => {},
  );
  let feature: ServicesFeature | undefined;

  const api = express.Router();
  api.use((req, res, next) => (feature as ServicesFeature).callbackRoutes(req, res, next));
  api.use(express.json());
  api.use(authenticate(db, new TokenStore()));
  api.use((req, res, next) => (feature as ServicesFeature).routes(req, res, next));
  api.use(notFoundRoute);
  const app = express();
  app.use('/api/v1', api);
  app.use(errorMiddleware);
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  feature = createServicesFeature({
    db,
    queue,
    audit,
    logger,
    secrets: new SecretBox(Buffer.from(testSecretKey, 'base64')),
    publicBaseUrl: () => baseUrl,
    retry: options.retry,
    leaseMs: options.leaseMs,
    webhookTimeoutMs: options.webhookTimeoutMs,
    onAllServicesReady: async (subscriptionId) => {
      // Recorded only when it moved something: the release is idempotent, and services that
      // finish together may each call it.
      if ((await release.releaseSubscription(subscriptionId)).length) releases.push(subscriptionId);
    },
  });
  if (!options.noWorker) registerServiceJobs(queue, feature.service, 4);
  return {
    feature,
    queue,
    audit,
    baseUrl,
    releases,
    async close() {
      await queue.close({ timeoutMs: 2000 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Bearer tokens of each staff role, created once per database. */
export async function createTokens(db: Db): Promise<Record<'admin' | 'operator' | 'viewer' | 'store', string>> {
  const tokens = new TokenStore();
  const out: Partial<Record<RoleName, string>> = {};
  for (const role of ['admin', 'operator', 'viewer', 'store'] as const) {
    out[role] = (await tokens.create(db, { name: `${role} token`, role })).token;
  }
  return out as Record<'admin' | 'operator' | 'viewer' | 'store', string>;
}

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

export interface WebhookServer {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A provider's endpoint: answers each request with what `answer` returns (a status). */
export async function startWebhookServer(
  answer: (request: ReceivedWebhook, index: number) => number | Promise<number>,
): Promise<WebhookServer> {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = { headers: req.headers, body, json: JSON.parse(body || '{}') as Record<string, unknown> };
      received.push(request);
      res.statusCode = await answer(request, received.length - 1);
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/provision`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `check` answers true (what a user would see eventually), or fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function serviceState(db: Db, id: number): Promise<string> {
  const row = await db('services').select('state').where({ id }).first();
  return String(row?.state);
}

/** Transitions the audit log recorded for a service, oldest first, as `action:from>to`. */
export async function serviceTransitions(audit: AuditStore, db: Db, id: number): Promise<string[]> {
  return (await audit.history(db, 'service', id)).map((e) => `${e.action}:${e.fromState}>${e.toState}`);
}

/** Jobs of the queue have all finished. */
export async function queueIdle(queue: InProcessJobQueue): Promise<boolean> {
  const c = await queue.counts();
  return c.waiting + c.delayed + c.active === 0;
}
