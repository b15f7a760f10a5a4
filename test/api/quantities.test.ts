import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startQuotaRig } from '../helpers/quota-rig.js';

type Body = Record<string, unknown>;
type ErrorBody = { error: { code: string; details?: { fields?: Array<{ field: string; message: string }> } } };

const fieldsOf = (body: ErrorBody) => (body.error.details?.fields ?? []).map((f) => f.field);

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: an order's quantity in packs is the key's quota at the SOAP KA; a quantity the plan does not sell, or an unknown field, is refused at its field`,
    async (t) => {
      const rig = await startQuotaRig(dialect, 'soap', { planCode: 'packs', ip: '203.0.113.61' });
      const { api } = rig;
      try {
        const order = (body: Body) =>
          api.request<ErrorBody & Body>('POST', '/api/v1/orders', {
            body: { customerId: rig.customerId, planId: rig.planId, period: 12, ...body },
          });
        const tooMany = await order({ reference: 'too-many', quantity: 21 });
        t.is(tooMany.status, 400);
        t.deepEqual(fieldsOf(tooMany.body), ['quantity']);
        const misspelt = await order({ reference: 'misspelt', quantitty: 4 });
        t.is(misspelt.status, 400, 'an unknown field is refused, never dropped');
        const unknownProduct = await order({
          reference: 'unknown-product',
          licenseQuantities: [{ licenseProductId: 9999, quantity: 2 }],
        });
        t.is(unknownProduct.status, 400);
        t.deepEqual(fieldsOf(unknownProduct.body), ['licenseQuantities.0.licenseProductId']);
        const outOfRange = await order({
          reference: 'out-of-range',
          licenseQuantities: [{ licenseProductId: rig.licenseProductId, quantity: 0 }],
        });
        t.is(outOfRange.status, 400);
        t.deepEqual(fieldsOf(outOfRange.body), ['licenseQuantities.0.quantity']);
        const both = await order({
          reference: 'both',
          quantity: 2,
          licenseQuantities: [{ licenseProductId: rig.licenseProductId, quantity: 2 }],
        });
        t.is(both.status, 400);

        const placed = await order({ reference: 'four-packs', quantity: 4 });
        t.is(placed.status, 201);
        t.deepEqual(placed.body.licenseQuantities, [{ licenseProductId: rig.licenseProductId, quantity: 4 }]);
        const again = await order({ reference: 'four-packs', quantity: 4 });
        t.is(again.status, 200);
        const otherQuantity = await order({ reference: 'four-packs', quantity: 3 });
        t.is(otherQuantity.status, 409, 'the same reference with other packs is another order');

        const { license } = await rig.buy('bought-4', 4);
        t.like(license, { quota: 4 * rig.packSize, quotaUnit: 'users', keyType: 'primary', quotaReserved: 0 });
        const key = rig.authority.getKey(String(license.keyNumber));
        t.is(key.limits.users, 20, 'the KA holds the quota Keyway asked');

        const byList = await api.request<{ data: Body[] }>('GET', `/api/v1/licenses?customer=${rig.customerId}`);
        t.like(
          byList.body.data.find((l) => l.id === license.id),
          { quota: 20 },
        );
        const csv = await fetch(`${api.url}/api/v1/licenses?format=csv&customer=${rig.customerId}`, {
          headers: { authorization: `Bearer ${api.adminToken}` },
        });
        const lines = (await csv.text()).trim().split('\r\n');
        const header = lines[0]?.split(',') ?? [];
        const row = lines.find((l) => l.startsWith(`${license.id},`))?.split(',') ?? [];
        t.is(row[header.indexOf('quota')], '20');
        t.is(row[header.indexOf('quotaUnit')], 'users');

        const { license: plain } = await rig.buy('bought-default');
        t.is(plain.quota, rig.packSize, 'no quantity: the plan quantity');
      } finally {
        await rig.close();
      }
    },
  );
}
