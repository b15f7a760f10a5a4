import test from 'ava';
import type { CandidateKey } from '../../src/plugin-sdk/ka-adapter.js';
import { decideClaim, type UnresolvedRequest } from '../../src/provisioning/steps/key-claim.js';

const request = (id: number): UnresolvedRequest => ({ id, reference: `ref-${id}` });
const key = (n: number, extra: Partial<CandidateKey> = {}): CandidateKey => ({
  keyNumber: `PLSK.${String(n).padStart(8, '0')}`,
  additionalKeyNumbers: [],
  createdAt: new Date(1_800_000_000_000 + n * 1000),
  ...extra,
});
const none = new Set<string>();

test('as many free keys as requests waiting: each request takes its own, the same pairing seen from every request', (t) => {
  const group = [request(7), request(3), request(5)];
  const keys = [key(12), key(10), key(11)];
  const taken = group.map((r) => {
    const decision = decideClaim(r, group, keys, none);
    return decision.kind === 'claim' ? decision.key.keyNumber : decision.kind;
  });
  // Requests by id (3, 5, 7), keys by creation (10, 11, 12).
  t.deepEqual(taken, ['PLSK.00000012', 'PLSK.00000010', 'PLSK.00000011']);
});

test('keys Keyway already holds are not free, whatever the KA says about them', (t) => {
  const decision = decideClaim(request(1), [request(1)], [key(1), key(2)], new Set(['PLSK.00000001']));
  t.is(decision.kind, 'claim');
  if (decision.kind === 'claim') t.is(decision.key.keyNumber, 'PLSK.00000002');
});

test('no free key left: the KA proved this request has none', (t) => {
  t.is(decideClaim(request(1), [request(1), request(2)], [key(1)], new Set(['PLSK.00000001'])).kind, 'none');
  t.is(decideClaim(request(1), [request(1)], [], none).kind, 'none');
});

test('a surplus or a deficit is unsettled, never guessed', (t) => {
  const surplus = decideClaim(request(1), [request(1)], [key(1), key(2)], none);
  t.deepEqual(surplus.kind === 'unsettled' && [surplus.freeKeys.length, surplus.unresolved], [2, 1]);
  const deficit = decideClaim(request(1), [request(1), request(2), request(3)], [key(1)], none);
  t.deepEqual(deficit.kind === 'unsettled' && [deficit.freeKeys.length, deficit.unresolved], [1, 3]);
});

test('a note naming this request settles it; a note naming a peer or a stranger takes that key out of the pairing', (t) => {
  const own = decideClaim(request(2), [request(1), request(2)], [key(1), key(2, { reference: 'ref-2' })], none);
  t.true(own.kind === 'claim' && own.key.keyNumber === 'PLSK.00000002');
  // Key 2 is the peer's (its note), key 3 someone else's: key 1 is the only one left for request 1.
  const peer = decideClaim(
    request(1),
    [request(1), request(2)],
    [key(1), key(2, { reference: 'ref-2' }), key(3, { reference: 'other-install-9' })],
    none,
  );
  t.true(peer.kind === 'claim' && peer.key.keyNumber === 'PLSK.00000001');
});

test('a KA that keeps no notes settles the same way', (t) => {
  const group = [request(1), request(2)];
  const withoutNotes = group.map((r) => decideClaim(r, group, [key(1), key(2)], none));
  t.deepEqual(
    withoutNotes.map((d) => (d.kind === 'claim' ? d.key.keyNumber : d.kind)),
    ['PLSK.00000001', 'PLSK.00000002'],
  );
});
