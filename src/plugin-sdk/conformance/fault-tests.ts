import type { TestFn } from 'ava';
import type { ConformanceOptions } from './conformance-types.js';
import { expectKaError, withRig } from './conformance-rig.js';

/**
 * What the KA's transport can do to an adapter beyond timeouts and drops: HTTP statuses that
 * are not the protocol, answers larger than the configured limit, hostile file names.
 */
export function registerFaultTests(test: TestFn, options: ConformanceOptions, title: (name: string) => string): void {
  test.serial(title('a bare HTTP 5xx to issueKey is retryable with its outcome unknown'), (t) =>
    withRig(t, options, async ({ adapter, order, server }) => {
      await server.injectFault('issue', { kind: 'status', status: 502 }, 1);
      const error = await expectKaError(t, adapter.issueKey(order()), 'issueKey when a gateway answers HTTP 502');
      t.true(
        error?.retryable,
        "a 5xx is the KA or its gateway failing: KaError.retryable must be true (the SDK's statusMeaning does this)",
      );
      t.true(
        error?.outcomeUnknown,
        'a 5xx without the KA\'s own error in the body may come after the KA acted: a create must set outcomeUnknown, so the key is looked up before another is made (docs: "HTTP statuses")',
      );
    }),
  );

  test.serial(title('HTTP 404 to issueKey is permanent: the endpoint is wrong'), (t) =>
    withRig(t, options, async ({ adapter, order, server }) => {
      await adapter.issueKey(order());
      await server.injectFault('issue', { kind: 'status', status: 404 }, 1);
      const error = await expectKaError(t, adapter.issueKey(order()), 'issueKey when the endpoint answers HTTP 404');
      t.false(
        error?.retryable,
        'a 404 will not go away by retrying (a wrong endpoint or object): KaError.retryable must be false',
      );
      t.false(error?.outcomeUnknown, 'a 404 is an answer: the KA did not act');
    }),
  );

  test.serial(title('an answer larger than maxResponseBytes is refused as response_too_large'), (t) =>
    withRig(t, options, async ({ adapter, order, server }) => {
      const key = await adapter.issueKey(order());
      await server.injectFault('retrieve', { kind: 'oversize', bytes: server.maxResponseBytes + 64 * 1024 }, 1);
      const hint = `pass the configuration's maxResponseBytes (${server.maxResponseBytes}) to httpRequest or JsonApiClient: a KA must not fill Keyway's memory`;
      const error = await expectKaError(t, adapter.retrieveFiles(key), `retrieveFiles got a larger answer: ${hint}`);
      t.is(error?.code, 'response_too_large', hint);
    }),
  );

  for (const fileName of ['../../etc/keyway-kit.xml', 'keys\\..\\keyway-kit.xml']) {
    test.serial(title(`a license file named ${JSON.stringify(fileName)} by the KA is stored without its path`), (t) =>
      withRig(t, options, async ({ adapter, order, server }) => {
        const key = await adapter.issueKey(order());
        await server.injectFault('retrieve', { kind: 'fileName', fileName }, 1);
        const files = await adapter.retrieveFiles(key);
        t.true(files.length > 0, 'retrieveFiles must return the key file');
        for (const file of files) {
          t.false(
            /[\\/]/.test(file.fileName) || file.fileName === '..',
            `file name ${JSON.stringify(file.fileName)} carries a path: keep the last segment (safeFileName in the SDK)`,
          );
        }
      }),
    );
  }
}
