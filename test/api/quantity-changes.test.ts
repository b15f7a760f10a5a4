import test from 'ava';
import { type QuotaProtocol, startQuotaRig } from '../helpers/quota-rig.js';
import { testDialects } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type ErrorBody = { error: { code: string; details?: Record<string, unknown> } };

for (const dialect of testDialects()) {
  for (const protocol of ['soap', 'rest'] as QuotaProtocol[]) {
    test.serial(
      `${dialect} ${protocol}: buying more packs is an upgrade order; paying it changes the key's quota at the KA and installs its new file; a decrease is allowed once`,
      async (t) => {
        const rig = await startQuotaRig(dialect, protocol, {
          planCode: `changes-${protocol}`,
          ip: protocol === 'soap' ? '203.0.113.62' : '203.0.113.63',
        });
        const { api } = rig;
        try {
          const { subscriptionId, license } = await rig.buy('change-me', 4);
          const change = (body: Body) =>
            api.request<ErrorBody & Body>('POST', `/api/v1/subscriptions/${subscriptionId}/changes`, { body });
          const pay = async (order: Body, reference: string) => {
            const paid = await api.request<Body>('POST', `/api/v1/orders/${order.id}/pay`, {
              body: { paymentReference: reference },
            });
            t.is(paid.status, 201, JSON.stringify(paid.body));
          };
          const quotaBecomes = (quota: number, after: unknown) =>
            waitFor(
              async () => {
                const l = await api.request<Body>('GET', `/api/v1/licenses/${license.id}`);
                return l.body.quota === quota &&
                  l.body.status === 'installed' &&
                  Date.parse(String(l.body.installedAt)) > Date.parse(String(after))
                  ? l.body
                  : undefined;
              },
              `the quota to be ${quota} and the new file installed`,
              30_000,
            );

          const tooMany = await change({ licenseId: license.id, quantity: 21, reference: 'too-many' });
          t.is(tooMany.status, 400);
          const same = await change({ licenseId: license.id, quantity: 4, reference: 'same' });
          t.is(same.status, 409);
          t.is(same.body.error.code, 'no_change');

          const upgrade = await change({ licenseId: license.id, quantity: 6, reference: 'buy-more' });
          t.is(upgrade.status, 201);
          t.like(upgrade.body, {
            kind: 'upgrade',
            state: 'placed',
            subscriptionId,
            change: { licenseId: license.id, quantity: 6 },
          });
          const again = await change({ licenseId: license.id, quantity: 6, reference: 'buy-more' });
          t.is(again.status, 200);
          t.is(again.body.id, upgrade.body.id);
          const reused = await change({ licenseId: license.id, quantity: 7, reference: 'buy-more' });
          t.is(reused.status, 409);
          t.is(reused.body.error.code, 'reference_reused');

          if (protocol === 'soap') rig.authority.injectFault('ChangeQuota', { kind: 'drop' }, { times: 1 });
          await pay(upgrade.body, 'pay-buy-more');
          const upgraded = await quotaBecomes(30, license.installedAt);
          t.is(
            rig.authority.getKey(String(license.keyNumber)).limits[protocol === 'soap' ? 'users' : 'containers'],
            30,
          );

          const down = await change({ licenseId: license.id, quantity: 2, reference: 'fewer' });
          t.is(down.status, 201);
          t.is(down.body.kind, 'downgrade');
          await pay(down.body, 'pay-fewer');
          const downgraded = await quotaBecomes(10, upgraded.installedAt);
          t.is(downgraded.decreasesUsed, 1);
          const twice = await change({ licenseId: license.id, quantity: 1, reference: 'fewer-again' });
          t.is(twice.status, 409);
          t.is(twice.body.error.code, 'decrease_not_allowed');

          const audit = await api.request<{ data: Body[] }>(
            'GET',
            `/api/v1/audit-events?entity=license:${license.id}&action=license.quantity_changed`,
          );
          const changes = audit.body.data.filter((e) => e.action === 'license.quantity_changed');
          t.is(changes.length, 2);
          if (protocol === 'soap')
            t.true(
              changes.some((e) => (e.data as Body).confirmedByReadingTheKey === true),
              'the lost answer was settled by reading the key, not by sending the change again',
            );
        } finally {
          await rig.close();
        }
      },
    );
  }
}
