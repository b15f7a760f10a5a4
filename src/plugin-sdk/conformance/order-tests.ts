import type { TestFn } from 'ava';
import type { ConformanceOptions } from './conformance-types.js';
import { keysNamingReference, keysOffered, newKeys, withRig } from './conformance-rig.js';

/** The order reaches the KA whole, the lookup is exact, and no retry ever makes a second key. */
export function registerOrderTests(test: TestFn, options: ConformanceOptions, title: (name: string) => string): void {
  test.serial(title("the order's quantity, period and features reach the KA"), (t) =>
    withRig(t, options, async ({ adapter, order, server }) => {
      const request = order();
      const key = await adapter.issueKey(request);
      const atKa = (await server.keysAtKa()).find((k) => k.keyNumber === key.keyNumber);
      t.truthy(atKa, 'the issued key must be at the KA');
      const terms = server.orderTerms;
      if (terms.quantity !== undefined)
        t.is(
          atKa?.quantity,
          terms.quantity,
          'send order.quantity: the key must carry the quantity ordered (its quota of users, containers ...)',
        );
      if (terms.periodMonths !== undefined)
        t.is(
          atKa?.periodMonths,
          terms.periodMonths,
          'send order.periodMonths: the key must be sold for the period ordered',
        );
      for (const feature of terms.features ?? []) {
        t.true(atKa?.features?.includes(feature), `send order.features: the key lacks ${feature}`);
      }
    }),
  );

  test.serial(title('findKeyByRef matches our reference exactly, never a longer one that starts with it'), (t) =>
    withRig(t, options, async ({ adapter, order }) => {
      const ours = order();
      // Another request's reference extends ours (kw-…-1 and kw-…-12); same server, same product.
      const longer = { ...ours, requestId: `${ours.requestId}2`, reference: `${ours.reference}2` };
      const sentAt = new Date();
      const key = await adapter.issueKey(longer);
      const lookup = await adapter.findKeyByRef(ours, sentAt);
      t.false(
        keysNamingReference(lookup, ours.reference).includes(key.keyNumber),
        `findKeyByRef(${ours.reference}) answered the key of ${longer.reference}: compare the reference exactly (a KA search may match by prefix)`,
      );
    }),
  );

  for (const fault of [{ kind: 'drop' }, { kind: 'latency' }] as const) {
    const lost = fault.kind === 'drop' ? 'a dropped answer' : 'a timeout';
    test.serial(title(`where create is not idempotent, ${lost} never becomes a second key`), (t) =>
      withRig(
        t,
        options,
        async ({ adapter, order, server }) => {
          const request = order();
          const before = new Set((await server.keysAtKa()).map((k) => k.keyNumber));
          await server.injectFault(
            'issue',
            fault.kind === 'drop' ? fault : { kind: 'latency', ms: server.timeoutMs + 1500 },
            1,
          );
          const sentAt = new Date();
          await adapter.issueKey(request).catch(() => undefined);
          // Let a late answer arrive, then look the key up as the pipeline would.
          if (fault.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, 1600));
          const lookup = await adapter.findKeyByRef(request, sentAt).catch(() => undefined);
          const made = await newKeys(server, before);
          t.is(
            made.length,
            1,
            `${made.length} keys were created for one order: never send a create again inside issueKey or findKeyByRef (the pipeline looks the key up first); this KA makes a key for every create`,
          );
          t.deepEqual(
            keysOffered(lookup, request.reference),
            made,
            'findKeyByRef must find the one key the lost create made: as `found`, or as the one `candidates` key',
          );
        },
        { idempotentCreate: false },
      ),
    );
  }
}
