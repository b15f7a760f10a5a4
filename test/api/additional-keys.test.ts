import test from 'ava';
import { type QuotaProtocol, startQuotaRig } from '../helpers/quota-rig.js';
import { testDialects } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;
type Answer = Body & { error: { code: string; details?: Record<string, unknown> } };

for (const dialect of testDialects()) {
  for (const protocol of ['soap', 'rest'] as QuotaProtocol[]) {
    test.serial(
      `${dialect} ${protocol}: additional keys reserve part of the primary's quota; one that does not fit is refused naming what is left; change, rename, delete; a decrease below the reservations is refused before the KA`,
      async (t) => {
        const rig = await startQuotaRig(dialect, protocol, {
          planCode: `additional-${protocol}`,
          ip: protocol === 'soap' ? '203.0.113.64' : '203.0.113.65',
        });
        const { api } = rig;
        try {
          const { subscriptionId, license } = await rig.buy('with-branches', 4);
          const primaryPath = `/api/v1/licenses/${license.id}`;
          const keys = `${primaryPath}/additional-keys`;

          const badBody = await api.request<Answer>('POST', keys, { body: { quota: 0 } });
          t.is(badBody.status, 400);
          if (protocol === 'soap') rig.authority.injectFault('CreateAdditionalKey', { kind: 'drop' }, { times: 1 });
          const branch = await api.request<Answer>('POST', keys, { body: { quota: 8, name: 'Branch office' } });
          t.is(branch.status, 201, JSON.stringify(branch.body));
          t.like(branch.body, {
            keyType: 'additional',
            parentLicenseId: license.id,
            quota: 8,
            keyName: 'Branch office',
            renewsWithSubscription: true,
            subscriptionId,
          });
          t.is(rig.authority.getKey(String(branch.body.keyNumber)).parentKeyNumber, String(license.keyNumber));
          if (protocol === 'soap') {
            const created = await api.request<{ data: Body[] }>(
              'GET',
              `/api/v1/audit-events?entity=license:${branch.body.id}&action=license.additional_key_created`,
            );
            t.is(
              (created.body.data[0]?.data as Body | undefined)?.confirmedByReadingTheKey,
              true,
              'the lost answer was read, not resent',
            );
            t.is(rig.authority.listKeys().filter((k) => k.parentKeyNumber === license.keyNumber).length, 1);
          }

          const primary = (await api.request<Body & { additionalKeys: Body[] }>('GET', primaryPath)).body;
          t.like(primary, { quota: 20, quotaReserved: 8 });
          t.is(primary.additionalKeys.length, 1);

          const tooBig = await api.request<Answer>('POST', keys, { body: { quota: 15, name: 'Too big' } });
          t.is(tooBig.status, 409);
          t.is(tooBig.body.error.code, 'quota_exceeded');
          t.like(tooBig.body.error.details, { field: 'quota', remaining: 12 });

          const grown = await api.request<Answer>('PATCH', `${keys}/${branch.body.id}`, { body: { quota: 10 } });
          t.is(grown.status, 200, JSON.stringify(grown.body));
          t.is(grown.body.quota, 10);
          const renamed = await api.request<Answer>('PATCH', `${keys}/${branch.body.id}`, { body: { name: 'HQ' } });
          t.is(renamed.body.keyName, 'HQ');
          const overGrown = await api.request<Answer>('PATCH', `${keys}/${branch.body.id}`, { body: { quota: 25 } });
          t.is(overGrown.status, 409);
          t.like(
            overGrown.body.error.details,
            { remaining: 20 },
            'what the primary has left besides its own reservation',
          );

          const belowReserved = await api.request<Answer>('POST', `/api/v1/subscriptions/${subscriptionId}/changes`, {
            body: { licenseId: license.id, quantity: 1, reference: 'below-reserved' },
          });
          t.is(belowReserved.status, 409);
          t.is(belowReserved.body.error.code, 'quota_reserved');
          t.like(belowReserved.body.error.details, { reserved: 10 });

          // Renewing the subscription renews the additional key with it (the KA moves it with its primary).
          const renewal = await api.request<Body>('POST', `/api/v1/subscriptions/${subscriptionId}/renewals`, {
            body: { period: 12, reference: 'renew-with-branches' },
          });
          await api.request('POST', `/api/v1/orders/${(renewal as unknown as { body: Body }).body.id}/pay`, {
            body: { paymentReference: 'pay-renew-with-branches' },
          });
          const renewed = await waitFor(
            async () => {
              const s = (await api.request<Body>('GET', `/api/v1/subscriptions/${subscriptionId}`)).body;
              const k = (await api.request<Body>('GET', `/api/v1/licenses/${branch.body.id}`)).body;
              return k.expiresAt === s.expiresAt ? k : undefined;
            },
            'the additional key to follow the renewed term',
            30_000,
          );
          t.is(
            new Date(rig.authority.getKey(String(branch.body.keyNumber)).expiresAt).toISOString().slice(0, 10),
            String(renewed.expiresAt).slice(0, 10),
            'the KA moved it with its primary',
          );

          const deleted = await api.request<Answer>('DELETE', `${keys}/${branch.body.id}`);
          t.is(deleted.status, 200);
          t.is(deleted.body.status, 'terminated');
          t.like((await api.request<Body>('GET', primaryPath)).body, { quotaReserved: 0 });
          const again = await api.request<Answer>('DELETE', `${keys}/${branch.body.id}`);
          t.is(again.status, 409);
        } finally {
          await rig.close();
        }
      },
    );
  }
}
