import type { TestFn } from 'ava';
import { startInstallTargetServer } from '../../reference-ka/install-target-server.js';
import { registerCapabilityTests } from './capability-tests.js';
import type { ConformanceOptions } from './conformance-types.js';
import {
  assertNoSecrets,
  expectKaError,
  keysNamingReference,
  keysOffered,
  withRig,
  withWrongSecrets,
} from './conformance-rig.js';
import { registerFaultTests } from './fault-tests.js';
import { registerOrderTests } from './order-tests.js';
import { registerTermTests } from './term-tests.js';

export type * from './conformance-types.js';
export { conformanceServerOnAuthority, type ReferenceFrontForKit } from './authority-server.js';

/**
 * The KA plugin conformance kit: registers ava tests that every KA adapter must pass against
 * a server it can fault (usually the plugin's reference server). Import it only from tests:
 *
 * ```ts
 * import test from 'ava';
 * import { runKaConformance } from '../../../src/plugin-sdk/conformance/index.js';
 * runKaConformance(test, { makeServer, makeAdapter: plugin.createAdapter, definition: plugin.definition });
 * ```
 *
 * Tests run serially, each on a fresh server. Every failure message says what the adapter
 * must do to pass. Every test fails until the feature it checks exists: an adapter that only
 * throws fails them all.
 */
export function runKaConformance(test: TestFn, options: ConformanceOptions): void {
  const title = (name: string): string => `${options.title ?? 'KA conformance'} › ${name}`;

  test.serial(title('issueKey returns the new key'), (t) =>
    withRig(t, options, async ({ adapter, order, server }) => {
      const key = await adapter.issueKey(order());
      t.true(
        typeof key.keyNumber === 'string' && key.keyNumber.length > 0,
        'issueKey must return the keyNumber the KA created',
      );
      t.true(Array.isArray(key.additionalKeyNumbers), 'issueKey must return additionalKeyNumbers ([] when none)');
      const atKa = await server.keysAtKa();
      t.true(
        atKa.some((k) => k.keyNumber === key.keyNumber),
        "the keyNumber returned must be the KA's key number without revision",
      );
    }),
  );

  test.serial(title('findKeyByRef finds the issued key again'), (t) =>
    withRig(t, options, async ({ adapter, order }) => {
      const request = order();
      const sentAt = new Date();
      const key = await adapter.issueKey(request);
      const lookup = await adapter.findKeyByRef(request, sentAt);
      t.deepEqual(
        keysNamingReference(lookup, request.reference),
        [key.keyNumber],
        'findKeyByRef must find the key issued for this reference (store the reference with the key): as `found`, or as the one `candidates` key carrying the reference',
      );
    }),
  );

  test.serial(title('findKeyByRef never reports a key for a reference never issued'), (t) =>
    withRig(t, options, async ({ adapter, order }) => {
      await adapter.issueKey(order());
      const other = order();
      const lookup = await adapter.findKeyByRef(other, new Date());
      t.deepEqual(
        keysNamingReference(lookup, other.reference),
        [],
        'findKeyByRef found a key for a reference that was never issued: match on our reference, not on "any key"',
      );
      if (lookup.status === 'candidates') {
        t.true(
          lookup.keys.every((k) => k.reference !== undefined),
          'a key issued for another reference must be listed with that reference, or the pipeline may hand it to this request',
        );
      }
    }),
  );

  test.serial(title('retrieveFiles returns at least one non-empty file'), (t) =>
    withRig(t, options, async ({ adapter, order }) => {
      const key = await adapter.issueKey(order());
      const files = await adapter.retrieveFiles(key);
      t.true(files.length >= 1, 'retrieveFiles must return the key file(s) of the main key');
      for (const file of files) {
        t.true(Buffer.isBuffer(file.content) && file.content.length > 0, `file ${file.fileName} must have content`);
        t.true(file.fileName.length > 0 && !/[\\/]/.test(file.fileName), 'fileName must be a plain file name');
        t.true(file.contentType.length > 0, 'contentType must be set');
      }
    }),
  );

  test.serial(title('install delivers the license to an HTTP install target'), (t) =>
    withRig(t, options, async ({ adapter, order, server }) => {
      const target = await startInstallTargetServer({ token: 'conformance-target-token' });
      try {
        const key = await adapter.issueKey(order());
        const files = await adapter.retrieveFiles(key);
        const license = {
          licenseId: 'lic-conformance',
          keyNumber: key.keyNumber,
          productKey: key.productKey,
          product: server.product,
          files,
        };
        const receipt = await adapter.install(license, {
          serviceId: 'svc-1',
          url: target.url,
          token: 'conformance-target-token',
        });
        t.true(receipt.installedAt instanceof Date, 'install must return a receipt with installedAt');
        const installs = target.installs();
        t.is(installs.length, 1, 'install must deliver the license to the target (deliverToHttpTarget does)');
        t.is(installs[0]?.keyNumber, key.keyNumber);
      } finally {
        await target.close();
      }
    }),
  );

  test.serial(title('testConnection accepts good credentials and refuses a wrong password'), (t) =>
    withRig(t, options, async (rig) => {
      const check = await rig.adapter.testConnection();
      t.true(check.ok, 'testConnection must return ok: true for valid settings');
      const wrong = rig.server.wrongCredentials ?? withWrongSecrets(rig.server.settings, options);
      const wrongSecrets = Object.values(wrong).filter(
        (v): v is string => typeof v === 'string' && v.startsWith('Wrong-'),
      );
      const error = await expectKaError(
        t,
        rig.adapterFor(wrong).testConnection(),
        'testConnection with a wrong password',
      );
      t.is(error?.code, 'auth_failed', 'a refused login must be KaError code auth_failed');
      t.false(error?.retryable, 'auth_failed must not be retryable: the configuration is wrong');
      rig.secrets.push(...wrongSecrets);
      assertNoSecrets(t, rig, error);
    }),
  );

  for (const retryable of [true, false]) {
    test.serial(
      title(`a ${retryable ? 'retryable' : 'permanent'} KA error is reported as such, its message kept and scrubbed`),
      (t) =>
        withRig(t, options, async (rig) => {
          const { adapter, order, server } = rig;
          // The KA's text echoes the password, as some KAs echo the request.
          const marker = `kit-refusal-${retryable ? 'r' : 'p'}`;
          const message = `${marker}: refused for ${rig.secrets.join(' / ')}`;
          await server.injectFault('issue', { kind: 'error', retryable, message }, 1);
          const error = await expectKaError(t, adapter.issueKey(order()), 'issueKey when the KA refuses');
          t.is(
            error?.retryable,
            retryable,
            `map the KA's ${retryable ? 'retryable' : 'permanent'} result to KaError.retryable = ${retryable}`,
          );
          t.false(error?.outcomeUnknown, 'a KA answer (even a refusal) is a known outcome');
          t.true(
            String(error?.kaMessage).includes(marker),
            "carry the KA's own message in KaError.kaMessage (with secrets scrubbed): staff read it",
          );
          assertNoSecrets(t, rig, error);
        }),
    );
  }

  test.serial(title('an answer later than the timeout leaves the outcome unknown'), (t) =>
    withRig(t, options, async ({ adapter, order, server }) => {
      await server.injectFault('issue', { kind: 'latency', ms: server.timeoutMs + 1500 }, 1);
      const started = Date.now();
      const error = await expectKaError(t, adapter.issueKey(order()), 'issueKey when the KA is too slow');
      t.true(Date.now() - started < server.timeoutMs + 1000, 'the adapter must honour its timeout setting');
      t.true(error?.outcomeUnknown, 'a timeout after the request was sent must set outcomeUnknown (use httpPost)');
      t.true(error?.retryable, 'a timeout must be retryable');
    }),
  );

  test.serial(title('a dropped connection after send is unknown, and the lookup finds the one key'), (t) =>
    withRig(t, options, async ({ adapter, order, server }) => {
      const request = order();
      const known = new Set((await server.keysAtKa()).map((k) => k.keyNumber));
      const before = known.size;
      await server.injectFault('issue', { kind: 'drop' }, 1);
      const sentAt = new Date();
      const error = await expectKaError(t, adapter.issueKey(request), 'issueKey when the connection drops');
      t.true(error?.outcomeUnknown, 'a connection dropped after the request was sent must set outcomeUnknown');
      const afterDrop = await server.keysAtKa();
      t.is(afterDrop.length, before + 1, 'the test server must have created the key before dropping');
      const lookup = await adapter.findKeyByRef(request, sentAt);
      const created = afterDrop.find((k) => !known.has(k.keyNumber))?.keyNumber;
      // A KA that searches by reference finds it; one that cannot lists it among the candidates
      // (created since the send, no other request's reference), and Keyway claims it.
      t.deepEqual(
        keysOffered(lookup, request.reference),
        [created],
        'findKeyByRef must find the key whose creation answer was lost: as `found`, or as the one `candidates` key',
      );
      t.is((await server.keysAtKa()).length, before + 1, 'findKeyByRef must never create a key');
    }),
  );

  for (const fault of [{ kind: 'drop' }, { kind: 'malformed' }, { kind: 'status', status: 503 }] as const) {
    const what =
      fault.kind === 'drop'
        ? 'cannot reach the KA'
        : fault.kind === 'malformed'
          ? 'gets a garbled answer'
          : 'gets HTTP 503';
    test.serial(title(`a lookup that ${what} throws instead of answering none`), (t) =>
      withRig(t, options, async ({ adapter, order, server }) => {
        await server.injectFault('lookup', fault, 1);
        const error = await expectKaError(
          t,
          adapter.findKeyByRef(order(), new Date()),
          `findKeyByRef that ${what} must throw a retryable KaError ("none" means proved absent)`,
        );
        t.true(
          error?.retryable,
          '"none" must mean proved absent: when the KA cannot be asked, or its answer cannot be read, throw a retryable KaError',
        );
      }),
    );
  }

  for (const operation of ['issue', 'retrieve', 'test'] as const) {
    test.serial(title(`a malformed answer to ${operation} is a KaError, never a crash`), (t) =>
      withRig(t, options, async ({ adapter, order, server }) => {
        const key = operation === 'retrieve' ? await adapter.issueKey(order()) : undefined;
        await server.injectFault(operation, { kind: 'malformed' }, 1);
        const call =
          operation === 'issue'
            ? adapter.issueKey(order())
            : key
              ? adapter.retrieveFiles(key)
              : adapter.testConnection();
        const error = await expectKaError(t, call, `${operation} when the KA answers garbage`);
        if (operation === 'issue')
          t.true(error?.outcomeUnknown, 'a garbled answer to issueKey leaves its outcome unknown');
        t.true((await adapter.testConnection()).ok, 'the adapter must keep working after a malformed answer');
      }),
    );
  }

  registerFaultTests(test, options, title);
  registerOrderTests(test, options, title);
  registerCapabilityTests(test, options, title);
  registerTermTests(test, options, title);
}
