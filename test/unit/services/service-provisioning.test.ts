import test from 'ava';
import { FakeAuditStore } from '../../../src/features/audit/audit-store-fake.js';
import type { Service } from '../../../src/features/services/service.js';
import { type ServiceProvisioner, ServiceProvisionError } from '../../../src/features/services/service-provisioner.js';
import { ServiceProvisioningService } from '../../../src/features/services/service-provisioning-service.js';
import { FakeServiceStore } from '../../../src/features/services/service-store-fake.js';
import { fakeDb } from '../../../src/infra/db/fake-db.js';
import { createLogger } from '../../../src/infra/log/logger.js';
import { RecordingQueue } from '../../helpers/recording-queue.js';

/** A provisioner that answers, or throws, what the test lines up (then `ready`). */
class ScriptedProvisioner implements ServiceProvisioner {
  readonly calls: Array<{ id: number; attempt: number }> = [];
  constructor(
    readonly name: string,
    private readonly script: Array<'ready' | 'waiting' | Error> = [],
  ) {}
  async provision(service: Service, ctx: { attempt: number }) {
    this.calls.push({ id: service.id, attempt: ctx.attempt });
    const next = this.script.shift() ?? 'ready';
    if (next instanceof Error) throw next;
    return { state: next };
  }
}

const flaky = () => new ServiceProvisionError('503 from the panel', { retryable: true, code: 'http_503', status: 503 });
const refused = () => new ServiceProvisionError('400 from the panel', { retryable: false, code: 'http_400' });

function setUp(script: Array<'ready' | 'waiting' | Error> = [], maxAttempts = 3) {
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const store = new FakeServiceStore();
  const audit = new FakeAuditStore();
  const queue = new RecordingQueue();
  const provisioner = new ScriptedProvisioner('panel', script);
  const released: number[] = [];
  const service = new ServiceProvisioningService({
    db: fakeDb(),
    queue,
    audit,
    logger: createLogger('silent'),
    signer: { secretFor: async () => 'secret', verify: async () => true },
    provisioners: [provisioner],
    publicBaseUrl: () => 'https://keyway.test',
    onAllServicesReady: async (id) => {
      released.push(id);
      store.activate(id);
    },
    retry: { maxAttempts, initialDelayMs: 5000, maxDelayMs: 60_000, jitter: 0 },
    leaseMs: 60_000,
    store,
    now: () => clock,
  });
  const tick = (ms: number) => {
    clock += ms;
  };
  return { store, audit, queue, provisioner, released, service, tick, now: () => clock };
}

test('a service waits for its dependency, then runs, and the last one ready releases the subscription', async (t) => {
  const { store, audit, queue, service, released } = setUp();
  const sub = store.addSubscription();
  const db = store.add(sub, { key: 'db', provisioner: 'panel' });
  const site = store.add(sub, { key: 'site', provisioner: 'panel', dependsOn: ['db'] });
  await service.start(sub);
  t.deepEqual(queue.take(), [`service-${db.id}-0`]);
  // Its dependency is not ready: a job for it does nothing.
  await service.provision(site.id);
  t.is((await service.get(site.id)).state, 'pending');
  await service.provision(db.id);
  t.is((await service.get(db.id)).state, 'ready');
  t.deepEqual(queue.take(), [`service-${site.id}-0`]);
  await service.provision(site.id);
  t.deepEqual(released, [sub]);
  t.deepEqual(audit.trail('service', site.id), [
    'service.provisioning:pending>provisioning',
    'service.ready:provisioning>ready',
  ]);
});

test('a retryable failure is retried with the shared backoff until the budget is spent, then the service failed', async (t) => {
  const { store, audit, queue, service, tick, provisioner } = setUp([flaky(), flaky(), flaky()]);
  const sub = store.addSubscription();
  const s = store.add(sub, { key: 'site', provisioner: 'panel' });
  await service.provision(s.id);
  t.like(await service.get(s.id), { state: 'pending', attempts: 1, lastError: { code: 'http_503', attempt: 1 } });
  t.deepEqual(queue.take(), [`service-${s.id}-1 +5000ms`]);
  // Early (a duplicate): not due, nothing happens.
  await service.provision(s.id);
  t.is(provisioner.calls.length, 1);
  tick(5000);
  await service.provision(s.id);
  t.deepEqual(queue.take(), [`service-${s.id}-2 +10000ms`]);
  tick(10_000);
  await service.provision(s.id);
  t.like(await service.get(s.id), { state: 'failed', attempts: 3 });
  t.deepEqual(queue.take(), []);
  t.deepEqual(audit.trail('service', s.id).slice(-2), [
    'service.provisioning:pending>provisioning',
    'service.failed:provisioning>failed',
  ]);
});

test('a refusal fails the service at once; staff retry it with a fresh budget', async (t) => {
  const { store, queue, service } = setUp([refused()]);
  const sub = store.addSubscription();
  const s = store.add(sub, { key: 'site', provisioner: 'panel' });
  await service.provision(s.id);
  t.like(await service.get(s.id), { state: 'failed', attempts: 1, lastError: { retryable: false } });
  t.deepEqual(queue.take(), []);
  const retried = await service.retry(s.id, { type: 'staff', id: '1' });
  t.like(retried, { state: 'pending', attempts: 0 });
  t.deepEqual(queue.take(), [`service-${s.id}-0`]);
  await service.provision(s.id);
  t.is((await service.get(s.id)).state, 'ready');
});

test('a service without a provisioner of its name fails without a retry', async (t) => {
  const { store, service } = setUp();
  const s = store.add(store.addSubscription(), { key: 'x', provisioner: 'nobody' });
  await service.provision(s.id);
  t.like(await service.get(s.id), { state: 'failed', lastError: { code: 'unknown_provisioner' } });
});

test('the reconciler re-enqueues startable and lapsed services, not blocked or early ones, and releases what is all ready', async (t) => {
  const { store, queue, service, now, released } = setUp();
  const sub = store.addSubscription();
  const startable = store.add(sub, { key: 'a', provisioner: 'panel' });
  store.add(sub, { key: 'b', provisioner: 'panel', dependsOn: ['a'] });
  const lapsed = store.add(sub, {
    key: 'c',
    provisioner: 'panel',
    state: 'provisioning',
    attempts: 1,
    nextAttemptAt: new Date(now() - 1).toISOString(),
  });
  const held = store.add(sub, {
    key: 'd',
    provisioner: 'panel',
    state: 'provisioning',
    attempts: 1,
    nextAttemptAt: new Date(now() + 30_000).toISOString(),
  });
  const readySub = store.addSubscription();
  store.add(readySub, { key: 'e', state: 'ready' });
  const result = await service.reconcileServices();
  t.deepEqual(result, { enqueued: 2, released: 1 });
  const round = `r${Math.floor(now() / 10_000)}`;
  t.deepEqual(queue.take(), [`service-${startable.id}-0-${round}`, `service-${lapsed.id}-1-${round}`]);
  t.deepEqual(released, [readySub]);
  // The lapsed one is taken over (its attempt counted again); the held one is left to its worker.
  await service.provision(lapsed.id);
  t.like(await service.get(lapsed.id), { state: 'ready', attempts: 2 });
  await service.provision(held.id);
  t.like(await service.get(held.id), { state: 'provisioning', attempts: 1 });
});

test('a manual service waits for staff; marking it ready twice is one change', async (t) => {
  const { store, audit, service } = setUp(['waiting']);
  const s = store.add(store.addSubscription(), { key: 'm', provisioner: 'panel' });
  await service.provision(s.id);
  t.is((await service.get(s.id)).state, 'waiting');
  await service.markReady(s.id, { type: 'staff', id: '1' }, 'done by hand');
  await service.markReady(s.id, { type: 'staff', id: '1' });
  t.deepEqual(audit.trail('service', s.id), [
    'service.provisioning:pending>provisioning',
    'service.waiting:provisioning>waiting',
    'service.marked_ready:waiting>ready',
  ]);
});
